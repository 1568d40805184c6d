import type { Clock } from '../clock/clock.js';
import type { CapacityFailure } from '../domain/offers.js';
import type { Ec2ErrorKind } from '../ec2/ec2-port.js';
import type { LaunchStore } from '../store/launch-store.js';

/** How long a pool is skipped after EC2 said it could not launch there. */
export const CAPACITY_FAILURE_TTL_MS: Partial<Record<Ec2ErrorKind, number>> = {
  'insufficient-capacity': 10 * 60_000,
  'price-too-low': 10 * 60_000,
  // An account limit (spot instances, instances, vCPUs) covers the whole region for that market.
  'quota-exceeded': 10 * 60_000,
};

const KINDS = Object.keys(CAPACITY_FAILURE_TTL_MS) as Ec2ErrorKind[];
const LONGEST_TTL_MS = Math.max(...Object.values(CAPACITY_FAILURE_TTL_MS));

/**
 * Pools (zone x instance type x market) that recently failed for capacity or price, and regions whose market
 * hit an account quota, skipped by the planner until their entry expires — Karpenter's unavailable-offerings cache. Read from the failed launches the
 * launcher records, so a new leader and a plan preview in another process know them too.
 */
export class CapacityFailures {
  constructor(
    private readonly launches: Pick<LaunchStore, 'poolFailuresSince'>,
    private readonly clock: Clock,
  ) {}

  /** The failures still in force: each pool's latest, until its kind's time has passed. */
  async active(): Promise<CapacityFailure[]> {
    const now = this.clock.now();
    const failures = await this.launches.poolFailuresSince(new Date(now - LONGEST_TTL_MS), KINDS);
    return failures.flatMap(({ at, kind, code, message, ...pool }) => {
      const until = at + (CAPACITY_FAILURE_TTL_MS[kind] ?? 0);
      if (until <= now) return [];
      const failure = { ...pool, until, reason: `${code}: ${message}` };
      return [kind === 'quota-exceeded' ? { ...failure, wholeRegion: true } : failure];
    });
  }
}
