import type { Clock } from '../clock/clock.js';

export interface DemandCheck {
  /** How often demand is re-read, the first time this long after an iteration starts. */
  everyMs: number;
  /** The worker type whose demand outgrew the last iteration, if any. */
  outgrown: (signal?: AbortSignal) => Promise<string | undefined>;
}

export interface NextIterationOptions {
  clock: Clock;
  /** Epoch ms the last iteration started. */
  lastStart: number;
  intervalMs: number;
  demandCheck?: DemandCheck;
  signal?: AbortSignal;
}

/** `early`: the worker type whose grown demand cut the wait short; null when the interval ran out. */
export interface NextIteration {
  early: string | null;
}

/**
 * Waits until the next iteration is due: the interval after the last start, or sooner when a demand check
 * finds a worker type whose demand outgrew what the last iteration covered. A check still running when the
 * iteration is due is abandoned; checks start at least `everyMs` apart. Returns at once on abort. The runner
 * and the replay benchmark both wait through here, so the benchmark measures this schedule.
 */
export async function untilNextIteration(options: NextIterationOptions): Promise<NextIteration> {
  const { clock, lastStart, intervalMs, demandCheck, signal } = options;
  const due = lastStart + intervalMs;
  const sleepUntil = (at: number) =>
    clock.sleep(Math.max(0, at - clock.now()), signal).then(
      () => !signal?.aborted,
      () => false,
    );
  if (demandCheck && demandCheck.everyMs > 0) {
    for (let at = lastStart + demandCheck.everyMs; at < due; at = clock.now() + demandCheck.everyMs) {
      if (!(await sleepUntil(at))) return { early: null };
      const grown = await checkBefore(due, demandCheck, clock, signal);
      if (signal?.aborted) return { early: null };
      if (grown !== undefined) return { early: grown };
    }
  }
  await sleepUntil(due);
  return { early: null };
}

/** One check, given up at `due` or on abort (its questions are aborted too); a failure is no growth. */
async function checkBefore(
  due: number,
  demandCheck: DemandCheck,
  clock: Clock,
  signal: AbortSignal | undefined,
): Promise<string | undefined> {
  // One controller for both ends, listening on the runner's long-lived signal only while the check runs.
  const stop = new AbortController();
  const onAbort = () => stop.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  const cancel = clock.setTimer(due - clock.now(), () => stop.abort(new Error('the iteration is due')));
  const stopped = new Promise<undefined>((resolve) => {
    stop.signal.addEventListener('abort', () => resolve(undefined), { once: true });
  });
  try {
    if (signal?.aborted) return undefined;
    return await Promise.race([demandCheck.outgrown(stop.signal).catch(() => undefined), stopped]);
  } finally {
    cancel();
    signal?.removeEventListener('abort', onAbort);
  }
}
