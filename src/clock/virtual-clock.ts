import { type Clock, sleepWith } from './clock.js';

interface Timer {
  due: number;
  /** Insertion order: ties on `due` fire first-scheduled first. */
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

const RELEASED = () => {};

/** Captured at load, so test frameworks that fake timers later cannot stall the virtual clock. */
const realSetImmediate = globalThis.setImmediate;

/** Resolves after pending microtasks and one macrotask turn, so promise chains started by a timer settle. */
export function flushMicrotasks(): Promise<void> {
  return new Promise((resolve) => realSetImmediate(resolve));
}

/**
 * Discrete-event time: `now()` moves only when the driver advances it. Timers fire in time order (ties in
 * scheduling order), each at its own due time, with a flush between them. Deterministic: nothing depends
 * on real time.
 */
export class VirtualClock implements Clock {
  private current: number;
  private readonly heap: Timer[] = [];
  private nextSeq = 0;
  private live = 0;
  private advancing = false;

  /** `startMs`: the initial time, epoch ms (default 2024-01-01T00:00:00Z). */
  constructor(startMs: number = Date.UTC(2024, 0, 1)) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepWith(this, ms, signal);
  }

  setTimer(ms: number, fn: () => void): () => void {
    const delay = Number.isFinite(ms) ? Math.max(0, ms) : Number.MAX_SAFE_INTEGER;
    const timer: Timer = { due: this.current + delay, seq: this.nextSeq++, fn, cancelled: false };
    this.push(timer);
    this.live++;
    return () => {
      if (!timer.cancelled) {
        timer.cancelled = true;
        // A cancelled timer stays in the heap until it reaches the top, perhaps days of virtual time
        // later: its callback, and what that holds (a whole simulated instance), must not stay with it.
        timer.fn = RELEASED;
        this.live--;
      }
    };
  }

  /** Timers scheduled and not yet fired or cancelled. */
  pendingTimers(): number {
    return this.live;
  }

  /** Due time of the next live timer, if any. */
  nextTimerAt(): number | undefined {
    this.dropCancelled();
    return this.heap[0]?.due;
  }

  /** Fires every timer due up to `time` (including ones scheduled meanwhile), then sets now to `time`. */
  async advanceTo(time: number): Promise<void> {
    await this.drive(async () => {
      while (await this.fireNextDue(time)) {
        // keep firing
      }
      if (time > this.current) this.current = time;
    });
  }

  advanceBy(ms: number): Promise<void> {
    return this.advanceTo(this.current + ms);
  }

  /**
   * Fires timers until none is left, or until `limit` timers have fired, or the next timer is after
   * `until`. Returns how many fired. Periodic timers never go idle: pass a bound.
   */
  async runUntilIdle(options: { limit?: number; until?: number } = {}): Promise<number> {
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    const until = options.until ?? Number.POSITIVE_INFINITY;
    let fired = 0;
    await this.drive(async () => {
      await flushMicrotasks();
      while (fired < limit && (await this.fireNextDue(until))) fired++;
    });
    return fired;
  }

  /** Fires the next timer, whenever it is due; false when none is pending. */
  async runNext(): Promise<boolean> {
    let fired = false;
    await this.drive(async () => {
      fired = await this.fireNextDue(Number.POSITIVE_INFINITY);
    });
    return fired;
  }

  private async drive(work: () => Promise<void>): Promise<void> {
    if (this.advancing) throw new Error('VirtualClock is already advancing; await the running advance first');
    this.advancing = true;
    try {
      await work();
    } finally {
      this.advancing = false;
    }
  }

  private async fireNextDue(limit: number): Promise<boolean> {
    this.dropCancelled();
    const timer = this.heap[0];
    if (timer === undefined || timer.due > limit) return false;
    this.pop();
    timer.cancelled = true;
    this.live--;
    if (timer.due > this.current) this.current = timer.due;
    timer.fn();
    await flushMicrotasks();
    return true;
  }

  private dropCancelled(): void {
    while (this.heap[0]?.cancelled) this.pop();
  }

  private push(timer: Timer): void {
    const heap = this.heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!earlier(timer, heap[parent] as Timer)) break;
      heap[i] = heap[parent] as Timer;
      i = parent;
    }
    heap[i] = timer;
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && earlier(heap[right] as Timer, heap[left] as Timer) ? right : left;
      if (!earlier(heap[child] as Timer, last)) break;
      heap[i] = heap[child] as Timer;
      i = child;
    }
    heap[i] = last;
  }
}

function earlier(a: Timer, b: Timer): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}
