/**
 * How a worker type's facts add up to the capacity and spend every decision starts from.
 */
import { type PoolCapacity, roundPrice } from './offers.js';
import type { CapacityFigures, InstanceFact, WorkerTypeResources } from './plan-types.js';
import type { ScaleDownResource } from './scale-down.js';
import { capacityOf, type WorkerTypeDefinition } from './worker-type.js';

/**
 * Whether an instance is capacity (and spend): live, unless we asked EC2 to terminate it and only a stale
 * observation says otherwise. One EC2 describes live after that request was not terminated (the call
 * failed, or its answer was lost before EC2 acted): it counts, and is planned again.
 */
export function countsAsCapacity(instance: Pick<InstanceFact, 'state' | 'terminatedByUs' | 'lastSeen'>) {
  const live = instance.state === 'pending' || instance.state === 'running';
  return live && !(instance.terminatedByUs === true && instance.lastSeen === true);
}

/** A worker type's counted resources: its capacity, spend, pools, and what scale-down may weigh. */
export interface Fleet {
  capacity: CapacityFigures;
  /** USD per hour: counted instances and in-flight launches. */
  hourlySpend: number;
  pools: PoolCapacity[];
  resources: ScaleDownResource[];
  /** Resource id → region, to act on what scale-down picks. */
  regionOf: Map<string, string>;
}

/**
 * Counted: instances that count as capacity (`countsAsCapacity`), open spot requests, active ones
 * whose instance is not visible yet, and in-flight launches (with their own capacity). What scale-down
 * cannot undo (an in-flight launch; an active request, whose cancelling leaves its instance) is given to
 * it as busy, so it still counts toward `minCapacity`. A type no longer in the definition counts 1 unit.
 */
export function countFleet(
  definition: Pick<WorkerTypeDefinition, 'instanceTypes'>,
  resources: WorkerTypeResources,
): Fleet {
  const fleet: Fleet = {
    capacity: { runningCapacity: 0, pendingCapacity: 0, requestedCapacity: 0 },
    hourlySpend: 0,
    pools: [],
    resources: [],
    regionOf: new Map(),
  };
  const add = (resource: ScaleDownResource, pool: PoolCapacity | null, region: string) => {
    fleet.resources.push(resource);
    if (pool !== null) fleet.pools.push(pool);
    fleet.regionOf.set(resource.id, region);
  };
  const visible = new Set(resources.instances.map((instance) => instance.instanceId));
  for (const { instanceId: id, state, launchTime, ...instance } of resources.instances) {
    if (!countsAsCapacity({ state, ...instance }) || (state !== 'pending' && state !== 'running')) continue;
    const capacity = capacityOf(definition, instance.instanceType);
    fleet.capacity[state === 'running' ? 'runningCapacity' : 'pendingCapacity'] += capacity;
    fleet.hourlySpend += instance.hourlyPrice;
    const { region, zone, instanceType, market } = instance;
    const pool = { region, zone, instanceType, market, capacity };
    const terminating = instance.terminatedByUs === true ? { terminating: true } : {};
    const checkedIn = instance.checkedIn ? { checkedIn: true } : {};
    const resource = { id, kind: 'instance' as const, state, capacity, launchedAt: launchTime };
    add({ ...resource, ...terminating, ...checkedIn }, pool, region);
  }
  for (const { spotRequestId: id, createTime, ...request } of resources.spotRequests) {
    const active = request.state === 'active';
    if (active && (request.instanceId === undefined || visible.has(request.instanceId))) continue;
    const capacity = capacityOf(definition, request.instanceType);
    fleet.capacity.requestedCapacity += capacity;
    const { region, zone, instanceType } = request;
    const pool =
      zone === undefined ? null : { region, zone, instanceType, market: 'spot' as const, capacity };
    add(
      { id, kind: 'spot-request', state: 'requested', capacity, launchedAt: createTime, busy: active },
      pool,
      region,
    );
  }
  for (const { clientToken: id, createdAt: launchedAt, ...launch } of resources.launches) {
    const { region, zone, instanceType, market, capacity } = launch;
    fleet.capacity.pendingCapacity += capacity;
    fleet.hourlySpend += launch.hourlyPrice;
    const resource: ScaleDownResource = { id, kind: 'instance', state: 'requested', capacity, launchedAt };
    add({ ...resource, busy: true }, { region, zone, instanceType, market, capacity }, region);
  }
  fleet.hourlySpend = roundPrice(fleet.hourlySpend);
  return fleet;
}
