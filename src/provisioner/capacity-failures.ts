import type { Clock } from '../clock/clock.js';
import type { CapacityFailure, Market } from '../domain/offers.js';
import type { Ec2ErrorKind } from '../ec2/ec2-port.js';

/** How long a pool is skipped after EC2 said it could not launch there. */
export const CAPACITY_FAILURE_TTL_MS: Partial<Record<Ec2ErrorKind, number>> = {
  'insufficient-capacity': 10 * 60_000,
  'price-too-low': 10 * 60_000,
};

/**
 * Pools (zone x instance type x market) that recently failed for capacity or price, skipped by the planner
 * until their entry expires — Karpenter's unavailable-offerings cache. In memory: a new leader relearns.
 */
export class CapacityFailures {
  private readonly failures = new Map<string, CapacityFailure>();

  constructor(private readonly clock: Clock) {}

  /** Records the failure if its kind is one that says something about the pool; returns whether it did. */
  record(
    pool: { region: string; zone: string; instanceType: string; market: Market },
    kind: Ec2ErrorKind,
    reason: string,
  ) {
    const ttl = CAPACITY_FAILURE_TTL_MS[kind];
    if (ttl === undefined) return false;
    const key = `${pool.region}/${pool.zone}/${pool.instanceType}/${pool.market}`;
    this.failures.set(key, { ...pool, until: this.clock.now() + ttl, reason });
    return true;
  }

  /** The failures still in force. */
  active(): CapacityFailure[] {
    const now = this.clock.now();
    for (const [key, failure] of this.failures) if (failure.until <= now) this.failures.delete(key);
    return [...this.failures.values()];
  }
}
