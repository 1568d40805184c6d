import type { BreakerState } from '../domain/circuit-breaker.js';
import { hourlyPrices, type Market, type PriceObservation } from '../domain/offers.js';
import type {
  InstanceFact,
  LaunchFact,
  LaunchOutcome,
  SpotRequestFact,
  WorkerTypeFacts,
} from '../domain/plan-types.js';
import type { WorkerType } from '../domain/worker-type.js';
import type { Ec2Instance, Ec2SpotRequest } from '../ec2/ec2-port.js';
import type { ObservedInstance } from '../store/fleet-view.js';
import type { LaunchSummary, LaunchOutcome as StoredOutcome } from '../store/launch-store.js';
import type { PendingRemoval } from '../store/removal-store.js';
import { type RegionObservation, workerTypeOf } from './observe-fleet.js';

export interface FactSources {
  provisionerId: string;
  definitions: readonly WorkerType[];
  /** With `launchedBefore` for a worker type re-created since (see `readFactSources`). */
  removals: readonly (PendingRemoval & { launchedBefore?: readonly string[] })[];
  observations: readonly RegionObservation[];
  /** Last known instances of regions that failed to describe this iteration. */
  lastSeen: readonly ObservedInstance[];
  prices: readonly PriceObservation[];
  /** For instances whose pool has no price observed (its region's price call failed, or it failed to describe). */
  onDemandPrice: (region: string, instanceType: string) => number | undefined;
  demand: ReadonlyMap<string, number | { error: string }>;
  /** Epoch ms when each worker type's count arrived. */
  demandReadAt: ReadonlyMap<string, number>;
  inFlight: readonly LaunchSummary[];
  checkedIn: ReadonlySet<string>;
  terminatedByUs: ReadonlySet<string>;
  outcomes: readonly StoredOutcome[];
  breakers: ReadonlyMap<string, BreakerState>;
}

const UNKNOWN_WORKER_TYPE = '(untagged)';

type GatheredFacts = WorkerTypeFacts & {
  instances: InstanceFact[];
  spotRequests: SpotRequestFact[];
  launches: LaunchFact[];
  recentLaunches?: LaunchOutcome[];
};

/** The facts of every worker type met so far, by name. */
class FactTable {
  private readonly facts = new Map<string, GatheredFacts>();

  /** The worker type's facts, created empty the first time it is met. */
  of(name: string): GatheredFacts {
    let entry = this.facts.get(name);
    if (!entry) {
      entry = { workerType: name, instances: [], spotRequests: [], launches: [] };
      this.facts.set(name, entry);
    }
    return entry;
  }

  /** The worker type's facts if it has been met; history alone never adds a worker type. */
  met(name: string): GatheredFacts | undefined {
    return this.facts.get(name);
  }

  sorted(): WorkerTypeFacts[] {
    return [...this.facts.values()].sort((a, b) =>
      a.workerType < b.workerType ? -1 : a.workerType > b.workerType ? 1 : 0,
    );
  }
}

/**
 * Turns what was observed in EC2 and what the database knows into the planner's facts, per worker type:
 * every defined worker type, every worker type EC2 shows resources of, and every pending removal.
 */
export function gatherFacts(sources: FactSources): WorkerTypeFacts[] {
  const table = new FactTable();
  for (const definition of sources.definitions) {
    const entry = table.of(definition.workerType);
    entry.definition = definition;
    const demand = sources.demand.get(definition.workerType);
    if (demand !== undefined) entry.pendingTasks = demand;
    const readAt = sources.demandReadAt.get(definition.workerType);
    if (readAt !== undefined) entry.demandReadAt = readAt;
  }
  for (const { workerType, requestedAt, launchedBefore } of sources.removals)
    table.of(workerType).removal = { requestedAt, ...(launchedBefore ? { launchedBefore } : {}) };
  const visible = addFleet(table, sources);
  addLaunchesNotYetVisible(table, sources.inFlight, visible);
  addHistory(table, sources);
  return table.sorted();
}

/** Adds every instance and spot request observed (or last seen); returns the ids and client tokens seen. */
function addFleet(table: FactTable, sources: FactSources): Set<string> {
  const observed = hourlyPrices(sources.prices);
  // At most on-demand (bids are capped there): a money cap must never count a running instance as free.
  const prices: PriceIndex = (pool, market) =>
    observed(pool, market) ?? sources.onDemandPrice(pool.region, pool.instanceType);
  const visible = new Set<string>();
  for (const observation of sources.observations) {
    if (!observation.ok) continue;
    for (const instance of observation.instances) {
      visible.add(instance.instanceId);
      if (instance.clientToken) visible.add(instance.clientToken);
      const name = workerTypeOf(sources.provisionerId, instance.tags) ?? UNKNOWN_WORKER_TYPE;
      table.of(name).instances.push(instanceFact(instance, sources, prices));
    }
    for (const request of observation.spotRequests) {
      const name = workerTypeOf(sources.provisionerId, request.tags) ?? UNKNOWN_WORKER_TYPE;
      table.of(name).spotRequests.push(spotRequestFact(request));
    }
  }
  for (const seen of sources.lastSeen) {
    table.of(seen.workerType).instances.push(lastSeenFact(seen, sources, prices));
  }
  return visible;
}

/** Launches EC2 does not show yet (by instance id or client token): capacity still to come. */
function addLaunchesNotYetVisible(
  table: FactTable,
  inFlight: readonly LaunchSummary[],
  visible: ReadonlySet<string>,
): void {
  for (const launch of inFlight) {
    if (visible.has(launch.clientToken) || (launch.instanceId !== null && visible.has(launch.instanceId)))
      continue;
    table.of(launch.workerType).launches.push({
      clientToken: launch.clientToken,
      region: launch.region,
      zone: launch.zone,
      instanceType: launch.instanceType,
      market: launch.market as Market,
      capacity: launch.capacity,
      hourlyPrice: launch.hourlyPrice,
      createdAt: launch.createdAt,
    });
  }
}

/** Recent launch outcomes and breaker states, for worker types already met. */
function addHistory(table: FactTable, sources: FactSources): void {
  for (const outcome of sources.outcomes) {
    const entry = table.met(outcome.workerType);
    if (!entry) continue;
    entry.recentLaunches ??= [];
    entry.recentLaunches.push({ at: outcome.at, ok: outcome.ok, ...kindOf(outcome) });
  }
  for (const [name, breaker] of sources.breakers) {
    const entry = table.met(name);
    if (entry) entry.breaker = breaker;
  }
}

type PriceIndex = ReturnType<typeof hourlyPrices>;

function instanceFact(instance: Ec2Instance, sources: FactSources, prices: PriceIndex): InstanceFact {
  return {
    instanceId: instance.instanceId,
    region: instance.region,
    zone: instance.zone,
    instanceType: instance.instanceType,
    market: instance.market,
    state: instance.state,
    launchTime: instance.launchTime,
    hourlyPrice: prices(instance, instance.market) ?? 0,
    checkedIn: sources.checkedIn.has(instance.instanceId),
    ...(instance.stateReason ? { stateReason: instance.stateReason } : {}),
    ...(instance.stateTransitionAt !== undefined ? { stateTransitionAt: instance.stateTransitionAt } : {}),
    ...(sources.terminatedByUs.has(instance.instanceId) ? { terminatedByUs: true } : {}),
  };
}

function lastSeenFact(seen: ObservedInstance, sources: FactSources, prices: PriceIndex): InstanceFact {
  const market = seen.market as Market;
  return {
    instanceId: seen.instanceId,
    region: seen.region,
    zone: seen.zone,
    instanceType: seen.instanceType,
    market,
    state: seen.state as InstanceFact['state'],
    launchTime: Date.parse(seen.launchTime),
    hourlyPrice: prices(seen, market) ?? 0,
    checkedIn: sources.checkedIn.has(seen.instanceId),
    ...(sources.terminatedByUs.has(seen.instanceId) ? { terminatedByUs: true } : {}),
    lastSeen: true,
  };
}

function spotRequestFact(request: Ec2SpotRequest): SpotRequestFact {
  return {
    spotRequestId: request.spotRequestId,
    region: request.region,
    ...(request.zone ? { zone: request.zone } : {}),
    instanceType: request.instanceType,
    state: request.state === 'active' ? 'active' : 'open',
    statusCode: request.statusCode,
    createTime: request.createTime,
    ...(request.instanceId ? { instanceId: request.instanceId } : {}),
  };
}

function kindOf(outcome: StoredOutcome) {
  return outcome.errorKind ? { errorKind: outcome.errorKind } : {};
}
