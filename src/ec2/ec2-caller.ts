import { EC2Client } from '@aws-sdk/client-ec2';
import type { Clock } from '../clock/clock.js';
import { classifyEc2Error, isTransient } from './classify-ec2-error.js';
import type { Ec2Error } from './ec2-port.js';
import { useLeanDescribeInstances } from './lean-describe-instances.js';
import { DEFAULT_REGION_BUDGET, type RegionBudget, RegionLimiter } from './region-limiter.js';

export interface Ec2CallEvent {
  region: string;
  action: string;
  /** `ok`, or the error kind of a failed attempt. */
  outcome: 'ok' | Ec2Error['kind'];
  attempt: number;
  durationMs: number;
}

/** What the gateway passes to the SDK's `send` with each command. */
export interface SendOptions {
  abortSignal?: AbortSignal;
}

export interface Ec2CallerOptions {
  clock: Clock;
  /** AWS_ENDPOINT_URL_EC2: one endpoint for every region (the simulator), or EC2's own per region. */
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  budget?: RegionBudget;
  /** Attempts per call for throttling and 5xx, with exponential back-off and full jitter. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  random?: () => number;
  /** Every attempt, for metrics and benchmarks. */
  onCall?: (event: Ec2CallEvent) => void;
  /**
   * An attempt whose connection or answer takes longer fails as 'unavailable' (and is retried): without
   * it, a connection that hangs would hold the iteration, and the leader lock, for ever.
   */
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
}

/**
 * Single EC2 calls for the gateway: one SDK client per region, each region's calls within its own
 * concurrency and rate budget (slowed down while EC2 throttles the region), retries with back-off on
 * throttling and 5xx, every error classified once.
 */
export class Ec2Caller {
  private readonly clients = new Map<string, EC2Client>();
  private readonly limiters = new Map<string, RegionLimiter>();
  private sending = 0;

  constructor(private readonly options: Ec2CallerOptions) {}

  /** HTTP calls in flight now (not those waiting for a budget or a back-off). */
  get inFlight(): number {
    return this.sending;
  }

  /**
   * One EC2 call: within the region's budget, retried when transient, its error classified. When `signal`
   * aborts, the call stops at once (its HTTP request too) and rejects with the signal's reason.
   */
  async call<T>(
    region: string,
    action: string,
    send: (client: EC2Client, options: SendOptions) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    const {
      clock,
      maxAttempts = 5,
      baseDelayMs = 250,
      maxDelayMs = 20_000,
      random = Math.random,
    } = this.options;
    const options: SendOptions = signal ? { abortSignal: signal } : {};
    const limiter = this.limiter(region);
    for (let attempt = 1; ; attempt++) {
      const started = clock.now();
      try {
        const result = await limiter.run(async () => {
          signal?.throwIfAborted();
          this.sending += 1;
          try {
            return await send(this.client(region), options);
          } finally {
            this.sending -= 1;
          }
        }, signal);
        limiter.answered();
        this.options.onCall?.({ region, action, outcome: 'ok', attempt, durationMs: clock.now() - started });
        return result;
      } catch (raw) {
        // Stopped by its caller, not failed by EC2: neither classified nor retried.
        signal?.throwIfAborted();
        const error = classifyEc2Error(raw, region, action);
        if (error.kind === 'throttled') limiter.throttled();
        else if (error.kind !== 'unavailable') limiter.answered();
        this.options.onCall?.({
          region,
          action,
          outcome: error.kind,
          attempt,
          durationMs: clock.now() - started,
        });
        if (!isTransient(error) || attempt >= maxAttempts) throw error;
        const delay = random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
        await clock.sleep(delay, signal);
      }
    }
  }

  private client(region: string): EC2Client {
    let client = this.clients.get(region);
    if (!client) {
      client = new EC2Client({
        region,
        maxAttempts: 1,
        requestHandler: {
          connectionTimeout: this.options.connectionTimeoutMs ?? 10_000,
          requestTimeout: this.options.requestTimeoutMs ?? 60_000,
          throwOnRequestTimeout: true,
        },
        // Resolves each command's middleware stack once, not on every call (the stack never changes after
        // this method): ~0.1–0.4 ms of CPU a call, and a replay makes tens of thousands of calls.
        cacheMiddleware: true,
        ...(this.options.endpoint ? { endpoint: this.options.endpoint } : {}),
        ...(this.options.credentials ? { credentials: this.options.credentials } : {}),
      });
      // DescribeInstances pages dominate an iteration's CPU at scale; read them lean.
      useLeanDescribeInstances(client);
      // The SDK's logger middleware walks every response through its sensitive-data filter even with its
      // no-op logger (a second full pass over each page); the gateway logs calls itself.
      client.middlewareStack.remove('loggerMiddleware');
      this.clients.set(region, client);
    }
    return client;
  }

  private limiter(region: string): RegionLimiter {
    let limiter = this.limiters.get(region);
    if (!limiter) {
      limiter = new RegionLimiter(this.options.clock, this.options.budget ?? DEFAULT_REGION_BUDGET);
      this.limiters.set(region, limiter);
    }
    return limiter;
  }

  /** Closes every region's HTTP connections. */
  destroy(): void {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
  }
}
