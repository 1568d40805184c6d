import type { BreakerState } from '../domain/circuit-breaker.js';
import type { Market, PriceObservation } from '../domain/offers.js';
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
  removals: readonly PendingRemoval[];
  observations: readonly RegionObservation[];
  /** Last known instances of regions that failed to describe this iteration. */
  lastSeen: readonly ObservedInstance[];
  prices: readonly PriceObservation[];
  demand: ReadonlyMap<string, number | { error: string }>;
  inFlight: readonly LaunchSummary[];
  checkedIn: ReadonlySet<string>;
  terminatedByUs: ReadonlySet<string>;
  outcomes: readonly StoredOutcome[];
  breakers: ReadonlyMap<string, BreakerState>;
}

const UNKNOWN_WORKER_TYPE = '(untagged)';

/**
 * Turns what was observed in EC2 and what the database knows into the planner's facts, per worker type:
 * every defined worker type, every worker type EC2 shows resources of, and every pending removal.
 */
export function gatherFacts(sources: FactSources): WorkerTypeFacts[] {
  const facts = new Map<
    string,
    WorkerTypeFacts & { instances: InstanceFact[]; spotRequests: SpotRequestFact[]; launches: LaunchFact[] }
  >();
  const factsOf = (name: string) => {
    let entry = facts.get(name);
    if (!entry) {
      entry = { workerType: name, instances: [], spotRequests: [], launches: [] };
      facts.set(name, entry);
    }
    return entry;
  };
  for (const definition of sources.definitions) {
    const entry = factsOf(definition.workerType);
    entry.definition = definition;
    const demand = sources.demand.get(definition.workerType);
    if (demand !== undefined) entry.pendingTasks = demand;
  }
  for (const removal of sources.removals)
    factsOf(removal.workerType).removal = { requestedAt: removal.requestedAt };

  const prices = priceIndex(sources.prices);
  const visible = new Set<string>();
  for (const observation of sources.observations) {
    if (!observation.ok) continue;
    for (const instance of observation.instances) {
      visible.add(instance.instanceId);
      if (instance.clientToken) visible.add(instance.clientToken);
      const name = workerTypeOf(sources.provisionerId, instance.tags) ?? UNKNOWN_WORKER_TYPE;
      factsOf(name).instances.push(instanceFact(instance, sources, prices));
    }
    for (const request of observation.spotRequests) {
      const name = workerTypeOf(sources.provisionerId, request.tags) ?? UNKNOWN_WORKER_TYPE;
      factsOf(name).spotRequests.push(spotRequestFact(request));
    }
  }
  for (const seen of sources.lastSeen) {
    factsOf(seen.workerType).instances.push(lastSeenFact(seen, sources, prices));
  }
  for (const launch of sources.inFlight) {
    if (visible.has(launch.clientToken) || (launch.instanceId !== null && visible.has(launch.instanceId)))
      continue;
    factsOf(launch.workerType).launches.push({
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
  const recentOf = new Map<string, LaunchOutcome[]>();
  for (const outcome of sources.outcomes) {
    if (!facts.has(outcome.workerType)) continue;
    const recent = recentOf.get(outcome.workerType) ?? [];
    recent.push({ at: outcome.at, ok: outcome.ok, ...kindOf(outcome) });
    recentOf.set(outcome.workerType, recent);
  }
  for (const [workerType, recent] of recentOf) {
    const entry = facts.get(workerType);
    if (entry) entry.recentLaunches = recent;
  }
  for (const [name, breaker] of sources.breakers) {
    const entry = facts.get(name);
    if (entry) entry.breaker = breaker;
  }
  return [...facts.values()].sort((a, b) =>
    a.workerType < b.workerType ? -1 : a.workerType > b.workerType ? 1 : 0,
  );
}

type PriceIndex = Map<string, PriceObservation>;

function priceIndex(prices: readonly PriceObservation[]): PriceIndex {
  return new Map(prices.map((p) => [`${p.region}/${p.zone}/${p.instanceType}`, p]));
}

function hourlyPrice(prices: PriceIndex, region: string, zone: string, instanceType: string, market: Market) {
  const pool = prices.get(`${region}/${zone}/${instanceType}`);
  return market === 'spot' ? (pool?.spotPrice ?? pool?.onDemandPrice) : pool?.onDemandPrice;
}

function instanceFact(instance: Ec2Instance, sources: FactSources, prices: PriceIndex): InstanceFact {
  return {
    instanceId: instance.instanceId,
    region: instance.region,
    zone: instance.zone,
    instanceType: instance.instanceType,
    market: instance.market,
    state: instance.state,
    launchTime: instance.launchTime,
    hourlyPrice:
      hourlyPrice(prices, instance.region, instance.zone, instance.instanceType, instance.market) ?? 0,
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
    hourlyPrice: hourlyPrice(prices, seen.region, seen.zone, seen.instanceType, market) ?? 0,
    checkedIn: sources.checkedIn.has(seen.instanceId),
    ...(sources.terminatedByUs.has(seen.instanceId) ? { terminatedByUs: true } : {}),
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
