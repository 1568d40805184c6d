/**
 * The candidates of the default offer selection: one spot and one on-demand candidate per observed pool
 * (zone × instance type) of the worker type's regions, each with its price, score (price per utility),
 * spot max price, and the first reason it cannot be used, if any. Pure; see `offer-selection.ts`.
 */
import { isZoneAllowed } from './launch-spec-rules.js';
import {
  type CandidateRecord,
  type CapacityFailure,
  EPSILON,
  type ExclusionReason,
  type Market,
  type OfferLimits,
  type OfferSelectionInput,
  type Pool,
  type PriceObservation,
  poolKey,
  poolName,
  roundPrice,
  usablePrice,
} from './offers.js';
import { quotaGroupOf } from './quota-group.js';
import type { InstanceTypeConfig } from './worker-type.js';

export interface Candidate {
  record: CandidateRecord;
  type: InstanceTypeConfig;
  /** `poolKey`, computed once: sorting and spreading compare it often. */
  key: string;
}

interface Exclusion {
  reason: ExclusionReason;
  detail: string | null;
}

/** What candidate building needs besides the pool itself. */
interface PricingContext {
  input: OfferSelectionInput;
  limits: OfferLimits;
  /** `<region>/<instanceType>` → the region's on-demand price. */
  onDemand: Map<string, number>;
  /** Pool or quota key → the failure still in force there. */
  failures: Map<string, ActiveFailure>;
}

interface ActiveFailure {
  reason: string;
  /** EC2 found this max price too low: an offer at a higher one may still launch. */
  refusedMaxPrice?: number;
}

/** One spot and one on-demand candidate per observed pool of the worker type's regions and types. */
export function buildCandidates(input: OfferSelectionInput, limits: OfferLimits): Candidate[] {
  const { definition } = input;
  const types = new Map(definition.instanceTypes.map((type) => [type.instanceType, type]));
  const regions = new Set(definition.regions.map(({ region }) => region));
  const observations = mergeObservations(
    input.prices.filter((o) => regions.has(o.region) && types.has(o.instanceType)),
  );
  const context: PricingContext = {
    input,
    limits,
    onDemand: regionalOnDemandPrices(observations),
    failures: activeFailures(input),
  };
  return observations.flatMap((observation) => {
    const type = types.get(observation.instanceType);
    if (type === undefined) return [];
    return [
      candidateFor(observation, type, 'spot', context),
      candidateFor(observation, type, 'on-demand', context),
    ];
  });
}

/** One observation per pool, in name order; duplicates keep the highest prices (the cautious reading). */
function mergeObservations(observations: readonly PriceObservation[]): PriceObservation[] {
  const byPool = new Map<string, PriceObservation>();
  const higher = (a: number | undefined, b: number | undefined) =>
    a === undefined ? b : b === undefined ? a : Math.max(a, b);
  for (const observation of observations) {
    const name = poolName(observation);
    const seen = byPool.get(name);
    byPool.set(
      name,
      seen === undefined
        ? { ...observation }
        : {
            ...seen,
            spotPrice: higher(seen.spotPrice, observation.spotPrice),
            recentMaxSpotPrice: higher(seen.recentMaxSpotPrice, observation.recentMaxSpotPrice),
            onDemandPrice: higher(seen.onDemandPrice, observation.onDemandPrice),
          },
    );
  }
  return [...byPool.keys()].sort().map((name) => byPool.get(name) as PriceObservation);
}

/** On-demand is priced per region: any zone's observation of the type gives it (the highest if they differ). */
function regionalOnDemandPrices(observations: readonly PriceObservation[]): Map<string, number> {
  const prices = new Map<string, number>();
  for (const { region, instanceType, ...observed } of observations) {
    const onDemandPrice = usablePrice(observed.onDemandPrice);
    if (onDemandPrice === undefined) continue;
    const key = `${region}/${instanceType}`;
    prices.set(key, Math.max(prices.get(key) ?? onDemandPrice, onDemandPrice));
  }
  return prices;
}

/** The keys of the quotas a pool's launches count against: its quota group's and its instance type's. */
function quotaKeys(pool: Pool, market: Market): Record<NonNullable<CapacityFailure['quota']>, string> {
  return {
    'quota-group': `${market}:${pool.region}/group:${quotaGroupOf(pool.instanceType)}`,
    'instance-type': `${market}:${pool.region}/type:${pool.instanceType}`,
  };
}

function activeFailures(input: OfferSelectionInput): Map<string, ActiveFailure> {
  const failures = new Map<string, ActiveFailure>();
  for (const failure of input.capacityFailures ?? []) {
    if (failure.until <= input.now) continue;
    const key =
      failure.quota === undefined
        ? poolKey(failure, failure.market)
        : quotaKeys(failure, failure.market)[failure.quota];
    const { reason, refusedMaxPrice } = failure;
    failures.set(key, refusedMaxPrice === undefined ? { reason } : { reason, refusedMaxPrice });
  }
  return failures;
}

function failureOf(
  pool: Pool,
  market: Market,
  failures: ReadonlyMap<string, ActiveFailure>,
  maxPrice: number | null,
): string | undefined {
  if (failures.size === 0) return undefined;
  const quotas = quotaKeys(pool, market);
  const keys = [poolKey(pool, market), quotas['quota-group'], quotas['instance-type']];
  const applies = (failure: ActiveFailure | undefined) =>
    failure !== undefined &&
    (failure.refusedMaxPrice === undefined ||
      maxPrice === null ||
      maxPrice <= failure.refusedMaxPrice + EPSILON);
  return keys.map((key) => failures.get(key)).find(applies)?.reason;
}

function candidateFor(
  pool: PriceObservation,
  type: InstanceTypeConfig,
  market: Market,
  context: PricingContext,
): Candidate {
  const { region, zone, instanceType } = pool;
  const onDemand = context.onDemand.get(`${region}/${instanceType}`);
  const price = usablePrice(market === 'spot' ? pool.spotPrice : onDemand) ?? null;
  const exclusion = exclusionFor(pool, type, market, price, context);
  const record: CandidateRecord = {
    region,
    zone,
    instanceType,
    market,
    price,
    pricePerUtility: price === null || !(type.utility > 0) ? null : roundPrice(price / type.utility),
    maxPrice: market === 'spot' && price !== null ? spotMaxPrice(type, onDemand, context) : null,
    rank: null,
    launches: 0,
    excluded: exclusion?.reason ?? null,
    detail: exclusion?.detail ?? null,
  };
  return { record, type, key: poolKey(pool, market) };
}

/** `max(maxPrice, minPrice) × utility`, capped at the on-demand price and the sanity cap. */
function spotMaxPrice(type: InstanceTypeConfig, onDemand: number | undefined, context: PricingContext) {
  const { definition } = context.input;
  const limit = Math.max(definition.maxPrice, definition.minPrice) * type.utility;
  return roundPrice(
    Math.min(limit, onDemand ?? Number.POSITIVE_INFINITY, context.limits.sanityCapPerInstanceHour),
  );
}

/** The first reason the candidate cannot be used: configuration, then data, then price, then failures. */
function exclusionFor(
  pool: PriceObservation,
  type: InstanceTypeConfig,
  market: Market,
  price: number | null,
  context: PricingContext,
): Exclusion | null {
  const { definition } = context.input;
  const { sanityCapPerInstanceHour: sanityCap, onDemandRespectsMaxPrice } = context.limits;
  const onDemand = context.onDemand.get(`${pool.region}/${pool.instanceType}`);
  if (!isZoneAllowed(definition, pool.region, pool.zone)) return { reason: 'zone-not-allowed', detail: null };
  if (market === 'spot' && !definition.canUseSpot) return { reason: 'spot-not-allowed', detail: null };
  if (market === 'on-demand' && !definition.canUseOndemand) {
    return { reason: 'on-demand-not-allowed', detail: null };
  }
  if (!(type.capacity > 0 && type.utility > 0)) {
    return { reason: 'invalid-instance-type', detail: 'capacity and utility must be greater than 0' };
  }
  if (price === null) return { reason: 'no-price', detail: `no ${market} price` };
  const capsByMaxPrice = market === 'spot' || onDemandRespectsMaxPrice;
  if (capsByMaxPrice && price / type.utility > definition.maxPrice + EPSILON) {
    return { reason: 'over-max-price', detail: `over maxPrice ${definition.maxPrice} per utility` };
  }
  if (price > sanityCap + EPSILON) {
    return { reason: 'sanity-cap', detail: `over the $${sanityCap}/h sanity cap` };
  }
  // Its max price is capped at on-demand, so a spot pool above on-demand could not launch.
  if (market === 'spot' && onDemand !== undefined && price > onDemand + EPSILON) {
    return { reason: 'above-on-demand', detail: `above the on-demand price ${onDemand}` };
  }
  const maxPrice = market === 'spot' ? spotMaxPrice(type, onDemand, context) : null;
  const failure = failureOf(pool, market, context.failures, maxPrice);
  return failure === undefined ? null : { reason: 'capacity-failure', detail: failure };
}
