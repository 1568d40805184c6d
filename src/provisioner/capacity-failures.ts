import type { Clock } from '../clock/clock.js';
import type { CapacityFailure } from '../domain/offers.js';
import type { Ec2ErrorKind } from '../ec2/ec2-port.js';
import type { LaunchStore } from '../store/launch-store.js';

/** How long a pool is skipped after EC2 said it could not launch there. */
export const CAPACITY_FAILURE_TTL_MS: Partial<Record<Ec2ErrorKind, number>> = {
  'insufficient-capacity': 10 * 60_000,
  'price-too-low': 10 * 60_000,
  // An account quota covers more than the pool: see `quotaScopeOf`.
  'quota-exceeded': 10 * 60_000,
};

/**
 * The pools an account quota refusal covers, in the region and market it came from. vCPU quotas (on-demand
 * `VcpuLimitExceeded`, spot `MaxSpotInstanceCountExceeded`) are per group of instance families; the older
 * `InstanceLimitExceeded` is per instance type.
 */
function quotaScopeOf(code: string): NonNullable<CapacityFailure['quota']> {
  return code === 'InstanceLimitExceeded' ? 'instance-type' : 'quota-group';
}

const KINDS = Object.keys(CAPACITY_FAILURE_TTL_MS) as Ec2ErrorKind[];
const LONGEST_TTL_MS = Math.max(...Object.values(CAPACITY_FAILURE_TTL_MS));

/**
 * Pools (zone x instance type x market) that recently failed for capacity or price, and the pools under an
 * account quota EC2 said was reached, skipped by the planner until their entry expires — Karpenter's
 * unavailable-offerings cache. Read from the failed launches the launcher records, so a new leader and a
 * plan preview in another process know them too.
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
    return failures.flatMap(({ at, kind, code, message, maxPrice, ...pool }) => {
      const until = at + (CAPACITY_FAILURE_TTL_MS[kind] ?? 0);
      if (until <= now) return [];
      const refused = kind === 'price-too-low' && maxPrice !== null ? { refusedMaxPrice: maxPrice } : {};
      const failure = { ...pool, until, reason: `${code}: ${message}`, ...refused };
      return [kind === 'quota-exceeded' ? { ...failure, quota: quotaScopeOf(code) } : failure];
    });
  }
}
