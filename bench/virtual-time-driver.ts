import type { VirtualClock } from '../src/clock/virtual-clock.js';

/** How much real work (HTTP calls, queries) is in flight now. */
export type InFlightProbe = () => number;

export interface VirtualTimeDriverOptions {
  clock: VirtualClock;
  /** While any probe reads above zero, virtual time stands still: the work is waiting on real I/O. */
  probes: readonly InFlightProbe[];
  /** Real time after which work that neither finishes, nor does I/O, nor has a timer to wait for fails. */
  stallTimeoutMs?: number;
}

/** Captured at load, like the clock's own: test frameworks that fake timers cannot stall the driver. */
const realSetImmediate = globalThis.setImmediate;

function nextTurn(): Promise<void> {
  return new Promise((resolve) => realSetImmediate(resolve));
}

/**
 * Runs real asynchronous code (the provisioning loop over HTTP and a database) in virtual time. Time moves
 * to the next timer only when nothing real is in flight and the work still has not finished, i.e. when
 * the work can only be waiting on the clock (a rate budget, a back-off, the next iteration). While real
 * I/O is in flight it yields to the event loop instead. World timers fire as time moves.
 */
export class VirtualTimeDriver {
  /** Timers this driver fired while work was waiting on the clock. */
  timersFired = 0;
  private readonly stallTimeoutMs: number;

  constructor(private readonly options: VirtualTimeDriverOptions) {
    this.stallTimeoutMs = options.stallTimeoutMs ?? 30_000;
  }

  /** Real work in flight now, over every probe. */
  inFlight(): number {
    let total = 0;
    for (const probe of this.options.probes) total += probe();
    return total;
  }

  /** Awaits `work`, moving virtual time whenever it (and everything else) waits only on the clock. */
  async run<T>(work: Promise<T>): Promise<T> {
    const { clock } = this.options;
    let settled = false;
    const done = work.finally(() => {
      settled = true;
    });
    // Rejections are rethrown by `await done` below; this keeps them from counting as unhandled meanwhile.
    done.catch(() => {});
    let idleTurns = 0;
    let stalledSince: number | undefined;
    while (!settled) {
      await nextTurn();
      if (settled) break;
      if (this.inFlight() > 0) {
        idleTurns = 0;
        stalledSince = undefined;
        continue;
      }
      // Two quiet turns in a row: continuations of finished I/O have had their chance to start more.
      if (++idleTurns < 2) continue;
      if (clock.nextTimerAt() === undefined) {
        stalledSince ??= Date.now();
        if (Date.now() - stalledSince > this.stallTimeoutMs) {
          throw new Error('The work waits on neither real I/O nor a timer: it can never finish');
        }
        continue;
      }
      await clock.runNext();
      this.timersFired++;
      idleTurns = 0;
      stalledSince = undefined;
    }
    return done;
  }

  /** Moves virtual time to `time` (firing every timer due on the way) once no real work is in flight. */
  async advanceTo(time: number): Promise<void> {
    await this.settle();
    await this.options.clock.advanceTo(time);
  }

  /** Resolves once no real work is in flight. */
  async settle(): Promise<void> {
    const started = Date.now();
    while (this.inFlight() > 0) {
      if (Date.now() - started > this.stallTimeoutMs) throw new Error('Real work stayed in flight too long');
      await nextTurn();
    }
  }
}
