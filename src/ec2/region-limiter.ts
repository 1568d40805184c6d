import type { Clock } from '../clock/clock.js';

export interface RegionBudget {
  /** Calls in flight at once in one region. */
  concurrency: number;
  /** Sustained calls per second in one region (a token bucket, in the clock's time). */
  ratePerSecond: number;
  /** Calls that may go at once after a quiet spell. */
  burst: number;
}

export const DEFAULT_REGION_BUDGET: RegionBudget = { concurrency: 8, ratePerSecond: 20, burst: 40 };

/** The slowest a throttled region is driven down to, calls per second. */
const MIN_RATE_PER_SECOND = 0.5;
/** Answered calls that bring a throttled region's rate back up by this fraction of its budget each. */
const RECOVERY_STEP = 1 / 20;

/**
 * Keeps one region's calls within its concurrency and rate budget, so the loop stays below EC2's limits.
 * EC2's own limits are per account, shared with every other client of it: when EC2 throttles anyway, the
 * rate halves (and the burst is spent), then climbs back a step with each answered call.
 */
export class RegionLimiter {
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  private tokens: number;
  private refilledAt: number;
  private rate: number;

  constructor(
    private readonly clock: Clock,
    private readonly budget: RegionBudget = DEFAULT_REGION_BUDGET,
  ) {
    this.tokens = budget.burst;
    this.refilledAt = clock.now();
    this.rate = budget.ratePerSecond;
  }

  /** The sustained rate allowed now, calls per second. */
  get ratePerSecond(): number {
    return this.rate;
  }

  /** Runs `call` within the budget; when `signal` aborts while it waits, rejects with its reason. */
  async run<T>(call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquireSlot(signal);
    try {
      await this.acquireToken(signal);
      return await call();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.inFlight -= 1;
    }
  }

  /**
   * EC2 throttled a call: halve the rate and spend the burst. Every throttled attempt halves, even the
   * concurrent ones of one episode: `bench/throttle-burst.ts` measured 17 throttled attempts that way
   * against 48 when halving at most once a second, in the same time (answered calls restore it quickly).
   */
  throttled(): void {
    this.refill();
    this.rate = Math.max(MIN_RATE_PER_SECOND, Math.min(this.rate, this.budget.ratePerSecond) / 2);
    this.tokens = Math.min(this.tokens, 0);
  }

  /** EC2 answered a call: a step back toward the budget's rate. */
  answered(): void {
    if (this.rate >= this.budget.ratePerSecond) return;
    this.refill();
    this.rate = Math.min(this.budget.ratePerSecond, this.rate + this.budget.ratePerSecond * RECOVERY_STEP);
  }

  private async acquireSlot(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (this.inFlight < this.budget.concurrency) {
      this.inFlight += 1;
      return;
    }
    // The releasing call hands its slot over directly, so inFlight stays counted.
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const index = this.waiting.indexOf(granted);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(signal?.reason);
      };
      const granted = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      this.waiting.push(granted);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private async acquireToken(signal?: AbortSignal): Promise<void> {
    for (;;) {
      this.refill();
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.clock.sleep(Math.ceil(((1 - this.tokens) / this.rate) * 1000), signal);
    }
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.budget.burst, this.tokens + ((now - this.refilledAt) / 1000) * this.rate);
    this.refilledAt = now;
  }
}
