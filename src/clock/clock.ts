/**
 * The one notion of time shared by the provisioner and the simulated world. Everything that waits or
 * reads the time takes a Clock, so tests and benchmarks can run hours of virtual time in seconds.
 */
export interface Clock {
  /** Milliseconds since the epoch, in this clock's time. */
  now(): number;
  /** Resolves after `ms` of this clock's time; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Runs `fn` after `ms` of this clock's time; returns a function that cancels it. */
  setTimer(ms: number, fn: () => void): () => void;
}

export class RealClock implements Clock {
  now(): number {
    return Date.now();
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepWith(this, ms, signal);
  }

  setTimer(ms: number, fn: () => void): () => void {
    let timer: NodeJS.Timeout;
    const due = Date.now() + Math.max(0, ms);
    // Node fires delays over 2^31-1 ms (24.8 days) at once: wait in chunks instead.
    const arm = () => {
      const left = due - Date.now();
      timer = left > MAX_TIMEOUT_MS ? setTimeout(arm, MAX_TIMEOUT_MS) : setTimeout(fn, Math.max(0, left));
      timer.unref?.();
    };
    arm();
    return () => clearTimeout(timer);
  }
}

const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** Shared `sleep` on top of any clock's `setTimer`. */
export function sleepWith(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      cancel();
      reject(signal?.reason);
    };
    const cancel = clock.setTimer(ms, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
