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

/** Keeps one region's calls within its concurrency and rate budget, so the loop stays below EC2's limits. */
export class RegionLimiter {
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  private tokens: number;
  private refilledAt: number;

  constructor(
    private readonly clock: Clock,
    private readonly budget: RegionBudget = DEFAULT_REGION_BUDGET,
  ) {
    this.tokens = budget.burst;
    this.refilledAt = clock.now();
  }

  async run<T>(call: () => Promise<T>): Promise<T> {
    await this.acquireSlot();
    try {
      await this.acquireToken();
      return await call();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.inFlight -= 1;
    }
  }

  private async acquireSlot(): Promise<void> {
    if (this.inFlight < this.budget.concurrency) {
      this.inFlight += 1;
      return;
    }
    // The releasing call hands its slot over directly, so inFlight stays counted.
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private async acquireToken(): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      this.tokens = Math.min(
        this.budget.burst,
        this.tokens + ((now - this.refilledAt) / 1000) * this.budget.ratePerSecond,
      );
      this.refilledAt = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.clock.sleep(Math.ceil(((1 - this.tokens) / this.budget.ratePerSecond) * 1000));
    }
  }
}
