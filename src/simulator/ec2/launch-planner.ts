import { ec2Error } from './ec2-api-error.js';
import type { RegionStore } from './region-store.js';
import type { ZoneScenario } from './scenario.js';
import type { WorldContext } from './world-context.js';

export interface PlacementRequest {
  store: RegionStore;
  instanceType: string;
  /** Zone name the caller asked for. */
  zone?: string;
  minCount: number;
  maxCount: number;
  market: 'spot' | 'on-demand';
  /** USD per hour; spot only. */
  maxPrice?: number;
}

export interface Placement {
  zone: ZoneScenario;
  count: number;
  /** Spot price of the chosen pool, USD per hour. */
  spotPrice?: number;
}

/** Checks an instance type exists and is offered in the region (and zone). */
export function checkInstanceType(
  context: WorldContext,
  store: RegionStore,
  instanceType: string,
  zone?: string,
) {
  if (context.catalog.instanceType(instanceType) === undefined) {
    throw ec2Error('InvalidParameterValue', `Invalid value '${instanceType}' for InstanceType.`);
  }
  if (!context.catalog.isOffered(store.name, instanceType)) {
    const where = zone ?? store.name;
    throw ec2Error(
      'Unsupported',
      `Your requested instance type (${instanceType}) is not supported in your requested Availability Zone (${where}).`,
    );
  }
}

/** The on-demand price (the default and the cap of a spot max price), USD per hour. */
export function onDemandPrice(context: WorldContext, region: string, instanceType: string): number {
  return context.catalog.onDemandPrice(region, instanceType) ?? 0;
}

/**
 * Chooses one zone for a launch the way EC2 answers it: limits first, then the max price, then
 * capacity. Spot goes to the cheapest pool with room, on-demand to the pool with the most room.
 */
export function placeInstances(context: WorldContext, request: PlacementRequest): Placement {
  const { store, instanceType, market } = request;
  checkInstanceType(context, store, instanceType, request.zone);
  const room = checkLimits(context, request);
  const now = context.clock.now();
  const zones = request.zone === undefined ? [...store.zones] : [store.zone(request.zone)];
  const priced = zones.map((zone) => ({
    zone,
    price: context.market.price(store.name, zone.name, instanceType, now) ?? Number.POSITIVE_INFINITY,
    free: context.pools.free(store.name, zone.name, instanceType, now),
  }));
  let candidates = priced;
  if (market === 'spot') {
    const maxPrice = request.maxPrice ?? onDemandPrice(context, store.name, instanceType);
    candidates = priced.filter((pool) => pool.price <= maxPrice);
    if (candidates.length === 0) {
      const lowest = Math.min(...priced.map((pool) => pool.price));
      throw ec2Error(
        'SpotMaxPriceTooLow',
        `Your Spot request price of ${maxPrice} is lower than the minimum required Spot request fulfillment price of ${lowest}.`,
      );
    }
  }
  const withRoom = candidates.filter((pool) => pool.free >= request.minCount);
  withRoom.sort((a, b) => (market === 'spot' ? a.price - b.price : b.free - a.free));
  const chosen = withRoom[0];
  if (chosen === undefined) throw insufficientCapacity(request, zones);
  return {
    zone: chosen.zone,
    count: Math.min(request.maxCount, chosen.free, room),
    ...(market === 'spot' ? { spotPrice: chosen.price } : {}),
  };
}

/** How many instances the region's limits still allow; fails when fewer than `minCount`. */
function checkLimits(context: WorldContext, request: PlacementRequest): number {
  const { store, instanceType } = request;
  const limits = context.scenario.limits;
  if (request.market === 'spot') {
    const room = limits.maxSpotInstancesPerRegion - store.spotInUse;
    if (room < request.minCount)
      throw ec2Error('MaxSpotInstanceCountExceeded', 'Max spot instance count exceeded');
    return room;
  }
  const vcpu = context.catalog.instanceType(instanceType)?.vcpu ?? 1;
  const room = Math.floor((limits.onDemandVcpusPerRegion - store.onDemandVcpus) / vcpu);
  if (room < request.minCount) {
    throw ec2Error(
      'VcpuLimitExceeded',
      `You have requested more vCPU capacity than your current vCPU limit of ${limits.onDemandVcpusPerRegion} allows for the instance bucket that the specified instance type belongs to. Please visit http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this limit.`,
    );
  }
  return room;
}

function insufficientCapacity(request: PlacementRequest, zones: ZoneScenario[]) {
  if (request.market === 'spot') {
    return ec2Error(
      'InsufficientInstanceCapacity',
      'There is no Spot capacity available that matches your request.',
    );
  }
  const others = request.store.zones.filter((zone) => !zones.includes(zone)).map((zone) => zone.name);
  const where = request.zone === undefined ? '' : ` in the Availability Zone you requested (${request.zone})`;
  const advice =
    request.zone === undefined || others.length === 0
      ? ''
      : ` You can currently get ${request.instanceType} capacity by not specifying an Availability Zone in your request or choosing ${others.join(', ')}.`;
  return ec2Error(
    'InsufficientInstanceCapacity',
    `We currently do not have sufficient ${request.instanceType} capacity${where}. Our system will be working on provisioning additional capacity.${advice}`,
  );
}
