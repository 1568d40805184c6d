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
import { buildCandidates, type Candidate } from './offer-candidates.js';
import {
  EPSILON,
  LaunchLedger,
  type Market,
  type OfferLimits,
  type OfferPlan,
  type OfferSelectionInput,
  type PlannedLaunch,
  planTotals,
  poolKey,
  resolveLimits,
  unmetCapacity,
} from './offers.js';

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
