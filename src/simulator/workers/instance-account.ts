/**
 * Per-instance accounting for benchmarks: how long an instance ran, how much of it was busy, and what it
 * cost. Updated only on task starts and ends, computed on demand (no per-tick work).
 */
import type { Ec2Instance } from '../../ec2/ec2-port.js';

export interface PriceSource {
  onDemandPrice(region: string, instanceType: string): number | undefined;
  /** Price changes in [from, to] plus the price in effect at `from`, oldest first, USD per hour. */
  spotPriceHistory(
    region: string,
    zone: string,
    instanceType: string,
    from: number,
    to: number,
  ): ReadonlyArray<{ time: number; price: number }>;
}

export interface InstanceUsage {
  instanceId: string;
  region: string;
  zone: string;
  instanceType: string;
  market: Ec2Instance['market'];
  /** Task slots (from the user data; 1 when it has no worker). */
  capacity: number;
  runningAt: number;
  /** When billing stopped (shutting-down); absent while it runs. */
  endedAt?: number;
  uptimeMs: number;
  /** Time with at least one task running. */
  busyMs: number;
  idleMs: number;
  /** Task run time summed over slots (capacity x uptime is the most it can be). */
  slotBusyMs: number;
  billedSeconds: number;
  costUsd: number;
}

const HOUR_MS = 3_600_000;

/** EC2 bills Linux instances per second, with a one-minute minimum. */
export function billedMs(uptimeMs: number): number {
  return Math.max(60_000, Math.ceil(uptimeMs / 1000) * 1000);
}

/** USD for running `instance` from `from` for `durationMs`: on-demand price, or the spot price integrated. */
export function instanceCost(
  prices: PriceSource,
  instance: Ec2Instance,
  from: number,
  durationMs: number,
): number {
  const { region, zone, instanceType } = instance;
  if (instance.market === 'on-demand') {
    return ((prices.onDemandPrice(region, instanceType) ?? 0) * durationMs) / HOUR_MS;
  }
  const to = from + durationMs;
  const points = prices.spotPriceHistory(region, zone, instanceType, from, to);
  let cost = 0;
  for (let i = 0; i < points.length; i++) {
    const point = points[i] as { time: number; price: number };
    const start = Math.max(from, point.time);
    const end = Math.min(to, points[i + 1]?.time ?? to);
    if (end > start) cost += (point.price * (end - start)) / HOUR_MS;
  }
  return cost;
}

export class InstanceAccount {
  capacity = 1;
  private running = 0;
  private busySince = 0;
  private busyMs = 0;
  private slotBusyMs = 0;
  /** Sum of the start times of the running tasks: their run time so far without visiting them. */
  private runningStartSum = 0;
  private endedAt: number | undefined;
  private finalCost: number | undefined;

  constructor(
    readonly instance: Ec2Instance,
    readonly runningAt: number,
  ) {}

  get ended(): boolean {
    return this.endedAt !== undefined;
  }

  taskStarted(now: number): void {
    this.runningStartSum += now;
    if (this.running++ === 0) this.busySince = now;
  }

  taskEnded(now: number, startedAt: number): void {
    this.slotBusyMs += now - startedAt;
    this.runningStartSum -= startedAt;
    if (--this.running === 0) this.busyMs += now - this.busySince;
  }

  /** Billing stops (the instance is shutting down). Tasks still counted as running are closed here. */
  end(now: number): void {
    if (this.endedAt !== undefined) return;
    if (this.running > 0) {
      this.busyMs += now - this.busySince;
      this.slotBusyMs += this.running * now - this.runningStartSum;
    }
    this.running = 0;
    this.runningStartSum = 0;
    this.endedAt = now;
  }

  usage(now: number, prices: PriceSource): InstanceUsage {
    const end = this.endedAt ?? now;
    const uptimeMs = Math.max(0, end - this.runningAt);
    const busyMs = this.busyMs + (this.running > 0 ? end - this.busySince : 0);
    const billed = billedMs(uptimeMs);
    // An ended instance's cost is final: integrate its prices once.
    const costUsd = this.finalCost ?? instanceCost(prices, this.instance, this.runningAt, billed);
    if (this.endedAt !== undefined) this.finalCost = costUsd;
    return {
      instanceId: this.instance.instanceId,
      region: this.instance.region,
      zone: this.instance.zone,
      instanceType: this.instance.instanceType,
      market: this.instance.market,
      capacity: this.capacity,
      runningAt: this.runningAt,
      ...(this.endedAt === undefined ? {} : { endedAt: this.endedAt }),
      uptimeMs,
      busyMs,
      idleMs: uptimeMs - busyMs,
      slotBusyMs: this.slotBusyMs + this.running * end - this.runningStartSum,
      billedSeconds: billed / 1000,
      costUsd,
    };
  }
}
