import { type Clock, sleepWith } from './clock.js';

/** setTimeout fires at once for delays above this (Node clamps them to 1 ms), so longer waits are chained. */
const MAX_TIMEOUT_MS = 2_147_483_647;

export interface ScaledClockOptions {
  /** How many times faster than real time this clock runs, e.g. 60 (one hour per real minute). */
  factor: number;
  /** This clock's time when it is created, epoch ms (default: the real time then). */
  epochMs?: number;
  /** The real time source, epoch ms (injectable for tests). */
  realNow?: () => number;
}

/** Real time accelerated by a constant factor: the sandbox lives an hour per real minute at 60x. */
export class ScaledClock implements Clock {
  readonly factor: number;
  private readonly epochMs: number;
  private readonly realStart: number;
  private readonly realNow: () => number;

  constructor(options: ScaledClockOptions) {
    if (!(options.factor > 0) || !Number.isFinite(options.factor)) {
      throw new RangeError(`ScaledClock factor must be a positive finite number, got ${options.factor}`);
    }
    this.factor = options.factor;
    this.realNow = options.realNow ?? Date.now;
    this.realStart = this.realNow();
    this.epochMs = options.epochMs ?? this.realStart;
  }

  now(): number {
    return this.epochMs + (this.realNow() - this.realStart) * this.factor;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepWith(this, ms, signal);
  }

  setTimer(ms: number, fn: () => void): () => void {
    let handle: NodeJS.Timeout | undefined;
    let cancelled = false;
    const arm = (realDelay: number) => {
      const step = Math.min(realDelay, MAX_TIMEOUT_MS);
      handle = setTimeout(() => {
        if (cancelled) return;
        if (realDelay > step) arm(realDelay - step);
        else fn();
      }, step);
      handle.unref?.();
    };
    arm(Math.max(0, ms) / this.factor);
    return () => {
      cancelled = true;
      if (handle !== undefined) clearTimeout(handle);
    };
  }
}
