/**
 * The default offer selection (spec Part 1 "Provisioning" and "Worker types"): which pools (region ×
 * zone × instance type), in which market and at what max price the next launches of a worker type go.
 *
 * - Score = hourly price ÷ utility (lower is better). Spot offers over `maxPrice` per utility are out.
 * - Cheapest first **with spreading**: the pools within `spreadTolerance` of the cheapest usable one form
 *   the cheap set; each instance goes to the cheap-set pool holding the least capacity (existing + planned
 *   this time), ties by price then name. One interruption wave in one pool then takes only a share of
 *   the fleet, while a much cheaper pool still takes everything. When quota, budget or exclusions use up
 *   the cheap set, the next cheapest pools form the next one. No randomness: the same input gives the
 *   same plan, which the decision record can explain.
 * - Pools are zone × type in both markets: on-demand costs the same in every zone of a region, but
 *   capacity failures and spreading are per zone, so each observed, allowed zone is its own pool.
 * - On-demand is a fallback: its pools are only used for what spot could not cover (spot not allowed,
 *   no spot offer within `maxPrice`, spot pools failed for capacity or used up by limits). It ignores
 *   `maxPrice` unless `onDemandRespectsMaxPrice` (Part 1 launches on-demand exactly when no spot offer is
 *   within `maxPrice`); the sanity cap and the money caps bound it.
 * - Spot MaxPrice = max(maxPrice, minPrice) × utility, capped at the region's on-demand price and the
 *   sanity cap (caps win over the minPrice floor). A spot pool already priced above that cap is out.
 *   On-demand submits no max price.
 */
import { isZoneAllowed } from './launch-spec-rules.js';
import {
  type CandidateRecord,
  EPSILON,
  type ExclusionReason,
  LaunchLedger,
  type Market,
  type OfferLimits,
  type OfferPlan,
  type OfferSelectionInput,
  type PlannedLaunch,
  type PriceObservation,
  planTotals,
  poolKey,
  poolName,
  resolveLimits,
  roundPrice,
  unmetCapacity,
} from './offers.js';
import type { InstanceTypeConfig } from './worker-type.js';

interface Candidate {
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
  /** Pool key → why it failed, for failures still in force. */
  failures: Map<string, string>;
}

export function selectOffers(input: OfferSelectionInput): OfferPlan {
  const limits = resolveLimits(input.limits);
  const candidates = buildCandidates(input, limits);
  rank(candidates);
  const launches: PlannedLaunch[] = [];
  if (input.change > 0) {
    const ledger = LaunchLedger.for(input, limits);
    const loads = existingLoads(input);
    // Spot first; on-demand pools only see what spot left uncovered.
    for (const market of ['spot', 'on-demand'] as const) {
      allocate(candidates, market, { input, limits, ledger, loads, launches });
    }
  }
  const totals = planTotals(launches);
  const reasons = candidates.flatMap(({ record }) => (record.excluded === null ? [] : [record.excluded]));
  return {
    strategy: 'default',
    workerType: input.workerType,
    change: input.change,
    launches,
    ...totals,
    candidates: [...candidates].sort(compareRanked).map(({ record }) => record),
    unmet: unmetCapacity(Math.max(input.change, 0), totals.plannedCapacity, reasons),
  };
}

/** One spot and one on-demand candidate per observed pool of the worker type's regions and types. */
function buildCandidates(input: OfferSelectionInput, limits: OfferLimits): Candidate[] {
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
  for (const { region, instanceType, onDemandPrice } of observations) {
    if (onDemandPrice === undefined) continue;
    const key = `${region}/${instanceType}`;
    prices.set(key, Math.max(prices.get(key) ?? onDemandPrice, onDemandPrice));
  }
  return prices;
}

function activeFailures(input: OfferSelectionInput): Map<string, string> {
  const failures = new Map<string, string>();
  for (const failure of input.capacityFailures ?? []) {
    if (failure.until > input.now) failures.set(poolKey(failure, failure.market), failure.reason);
  }
  return failures;
}

function candidateFor(
  pool: PriceObservation,
  type: InstanceTypeConfig,
  market: Market,
  context: PricingContext,
): Candidate {
  const { region, zone, instanceType } = pool;
  const onDemand = context.onDemand.get(`${region}/${instanceType}`);
  const price = (market === 'spot' ? pool.spotPrice : onDemand) ?? null;
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
  const failure = context.failures.get(poolKey(pool, market));
  return failure === undefined ? null : { reason: 'capacity-failure', detail: failure };
}

const MARKET_ORDER: Record<Market, number> = { spot: 0, 'on-demand': 1 };

/** Spot candidates rank before on-demand ones (the fallback), each by price per utility, then name. */
function compareCandidates(a: Candidate, b: Candidate): number {
  return (
    MARKET_ORDER[a.record.market] - MARKET_ORDER[b.record.market] ||
    (a.record.pricePerUtility ?? Number.POSITIVE_INFINITY) -
      (b.record.pricePerUtility ?? Number.POSITIVE_INFINITY) ||
    (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
  );
}

/** The decision record's order: ranked candidates first, then the excluded ones the same way. */
function compareRanked(a: Candidate, b: Candidate): number {
  return (
    (a.record.rank ?? Number.POSITIVE_INFINITY) - (b.record.rank ?? Number.POSITIVE_INFINITY) ||
    compareCandidates(a, b)
  );
}

function rank(candidates: readonly Candidate[]): void {
  const usable = candidates.filter(({ record }) => record.excluded === null);
  usable.sort(compareCandidates).forEach(({ record }, index) => {
    record.rank = index + 1;
  });
}

/** Capacity this worker type already has per pool and market, the baseline spreading balances against. */
function existingLoads(input: OfferSelectionInput): Map<string, number> {
  const loads = new Map<string, number>();
  for (const pool of input.existingCapacity ?? []) {
    const key = poolKey(pool, pool.market);
    loads.set(key, (loads.get(key) ?? 0) + pool.capacity);
  }
  return loads;
}

interface AllocationState {
  input: OfferSelectionInput;
  limits: OfferLimits;
  ledger: LaunchLedger;
  loads: Map<string, number>;
  launches: PlannedLaunch[];
}

/** Plans one instance at a time in `market` until the change is covered or no pool may take more. */
function allocate(candidates: readonly Candidate[], market: Market, state: AllocationState): void {
  let open = candidates.filter(({ record }) => record.market === market && record.excluded === null);
  let covered = planTotals(state.launches).plannedCapacity;
  while (covered < state.input.change - EPSILON) {
    // Quota and budget only tighten as launches are planned, so a refused pool stays refused.
    open = open.filter(({ record }) => {
      const refusal = state.ledger.refusal(record.region, record.price ?? 0);
      if (refusal === null) return true;
      record.excluded = refusal.reason;
      record.detail = refusal.detail;
      return false;
    });
    const pick = cheapSetPick(open, state);
    if (pick === undefined) return;
    const { record, type } = pick;
    const price = record.price ?? 0;
    state.ledger.record(record.region, price);
    state.loads.set(pick.key, (state.loads.get(pick.key) ?? 0) + type.capacity);
    record.launches += 1;
    covered += type.capacity;
    state.launches.push({
      region: record.region,
      zone: record.zone,
      instanceType: record.instanceType,
      market,
      maxPrice: record.maxPrice,
      price,
      pricePerUtility: record.pricePerUtility ?? 0,
      capacity: type.capacity,
      utility: type.utility,
    });
  }
}

/** Among the pools within the tolerance of the cheapest, the least loaded; ties by price, then name. */
function cheapSetPick(open: readonly Candidate[], state: AllocationState): Candidate | undefined {
  let cheapest = Number.POSITIVE_INFINITY;
  for (const option of open) cheapest = Math.min(cheapest, scoreOf(option));
  const threshold = cheapest * (1 + state.limits.spreadTolerance) + EPSILON;
  let best: Candidate | undefined;
  let bestLoad = 0;
  for (const option of open) {
    if (scoreOf(option) > threshold) continue;
    const load = state.loads.get(option.key) ?? 0;
    const lighter = load - bestLoad < -EPSILON;
    const tied = Math.abs(load - bestLoad) <= EPSILON;
    if (best === undefined || lighter || (tied && compareCandidates(option, best) < 0)) {
      best = option;
      bestLoad = load;
    }
  }
  return best;
}

function scoreOf({ record }: Candidate): number {
  return record.pricePerUtility ?? Number.POSITIVE_INFINITY;
}
