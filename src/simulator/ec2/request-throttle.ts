import type { ThrottleRate } from './scenario.js';

/** EC2's request rate limiting: a token bucket that refills continuously with the world's time. */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly rate: ThrottleRate,
    now: number,
  ) {
    this.tokens = rate.capacity;
    this.updatedAt = now;
  }

  /** Takes one token; false when the bucket is empty (the request is throttled). */
  take(now: number): boolean {
    const elapsedSeconds = Math.max(0, now - this.updatedAt) / 1000;
    this.tokens = Math.min(this.rate.capacity, this.tokens + elapsedSeconds * this.rate.refillPerSecond);
    this.updatedAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export type ActionCategory = 'describe' | 'mutate';

export function actionCategory(action: string): ActionCategory {
  return action.startsWith('Describe') ? 'describe' : 'mutate';
}

/** One bucket per region and action category, created on first use. */
export class RequestThrottle {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(private readonly rates: Record<ActionCategory, ThrottleRate>) {}

  allow(region: string, action: string, now: number): boolean {
    const category = actionCategory(action);
    const key = `${region}|${category}`;
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = new TokenBucket(this.rates[category], now);
      this.buckets.set(key, bucket);
    }
    return bucket.take(now);
  }
}
