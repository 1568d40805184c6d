/**
 * The classic strategy: the original's `determineSpotBids` at HEAD (spec §D.4), reproduced exactly so
 * users can compare it with the default strategy and the benchmark has its baseline.
 *
 * While capacity is wanted it draws one candidate (region × type × zone with recent spot data) uniformly
 * at random, bids `ceil(2 × recent max × 10^6) / 10^6` (or `ceil(minPrice ÷ utility × 10^6) / 10^6` when
 * the price per utility is under `minPrice` — the original's quirk), stops at the first draw over
 * `maxPrice`, and discards every bid when one exceeds the sanity cap. Spot only: the original ignored
 * `canUseSpot`/`canUseOndemand`, capacity failures and existing capacity. A launch's `maxPrice` is the
 * bid, its `price` the recent maximum (what the bid came from; a cautious price for the money caps) and
 * its `pricePerUtility` the original's `truePrice`.
 *
 * The choice is the original's; afterwards the guard rails every strategy keeps are applied without
 * changing it: at most `maxLaunchesPerRegion` launches per region (the original truncated at 200 when
 * submitting) and the money caps (launches that would exceed them are dropped, recorded as `budget`).
 */
import { configuredZones } from './launch-spec-rules.js';
import {
  type CandidateRecord,
  type ExclusionReason,
  LaunchLedger,
  type OfferPlan,
  type OfferSelectionInput,
  type PlannedLaunch,
  type PriceObservation,
  planTotals,
  resolveLimits,
  type UnmetCapacity,
  type UnmetReason,
  unmetCapacity,
  usablePrice,
} from './offers.js';
import type { InstanceTypeConfig } from './worker-type.js';

/** Pools the original refused outright (`isAllowedCombo`): instance families known to fail in those zones. */
const DISALLOWED_COMBOS: readonly { families: readonly string[]; zones: readonly string[] }[] = [
  { families: ['r3', 'm3', 'c3'], zones: ['us-east-1b', 'us-east-1f'] },
  { families: ['c5'], zones: ['us-east-1e'] },
  { families: ['g2'], zones: ['eu-central-1c'] },
];

export function isAllowedCombo(zone: string, instanceType: string): boolean {
  const family = instanceType.split('.')[0] ?? instanceType;
  return !DISALLOWED_COMBOS.some((combo) => combo.families.includes(family) && combo.zones.includes(zone));
}

interface ClassicCandidate {
  record: CandidateRecord;
  type: InstanceTypeConfig;
  /** The highest spot price of the last 30 minutes, what the original bid from. */
  recentMax: number;
}

interface Draws {
  launches: PlannedLaunch[];
  stop: { reason: UnmetReason; detail: string } | null;
}

export function selectOffersClassic(input: OfferSelectionInput, random: () => number): OfferPlan {
  const { candidates, excluded } = classicCandidates(input);
  const drawn = input.change > 0 ? draw(input, candidates, random) : { launches: [], stop: null };
  const launches = applyGuardRails(input, drawn.launches, candidates);
  for (const launch of launches) {
    const owner = candidates.find(({ record }) => samePool(record, launch));
    if (owner) owner.record.launches += 1;
  }
  const records = [...candidates.map(({ record }) => record), ...excluded];
  const totals = planTotals(launches);
  const reasons = records.flatMap(({ excluded }) => (excluded === null ? [] : [excluded]));
  return {
    strategy: 'classic',
    workerType: input.workerType,
    change: input.change,
    launches,
    ...totals,
    candidates: records,
    unmet: explainUnmet(input, totals.plannedCapacity, drawn.stop, reasons),
  };
}

/**
 * §D.4 steps 1–2: definition regions that have prices (the allowed ones) × instance types × zones with
 * recent spot data, in definition order then observation order; the AZ filter keeps only a region's
 * configured zones when it has any (no zone-name check: the original's tests use zones like `zone3`).
 */
function classicCandidates(input: OfferSelectionInput) {
  const { definition } = input;
  const candidates: ClassicCandidate[] = [];
  const excluded: CandidateRecord[] = [];
  for (const { region } of definition.regions) {
    const configured = configuredZones(definition, region);
    for (const type of definition.instanceTypes) {
      const seen = new Set<string>();
      for (const observation of input.prices) {
        if (observation.region !== region || observation.instanceType !== type.instanceType) continue;
        if (seen.has(observation.zone)) continue;
        seen.add(observation.zone);
        const recentMax = usablePrice(observation.recentMaxSpotPrice ?? observation.spotPrice);
        const reason = classicExclusion(observation, type, recentMax, configured);
        const record = classicRecord(observation, type, recentMax, definition.minPrice, reason);
        if (reason !== null || recentMax === undefined) excluded.push(record);
        else candidates.push({ record, type, recentMax });
      }
    }
  }
  // Over-max candidates stay in the draw (drawing one ends the loop) but can never launch.
  for (const { record } of candidates) {
    if ((record.pricePerUtility ?? 0) > definition.maxPrice) record.excluded = 'over-max-price';
  }
  return { candidates, excluded };
}

function classicExclusion(
  observation: PriceObservation,
  type: InstanceTypeConfig,
  recentMax: number | undefined,
  configured: readonly string[],
): ExclusionReason | null {
  if (recentMax === undefined) return 'no-price';
  if (configured.length > 0 && !configured.includes(observation.zone)) return 'zone-not-allowed';
  if (!isAllowedCombo(observation.zone, observation.instanceType)) return 'disallowed-combo';
  // Not in the original; without it a zero capacity would loop forever.
  if (!(type.capacity > 0 && type.utility > 0)) return 'invalid-instance-type';
  return null;
}

function classicRecord(
  observation: PriceObservation,
  type: InstanceTypeConfig,
  recentMax: number | undefined,
  minPrice: number,
  excluded: ExclusionReason | null,
): CandidateRecord {
  const { region, zone, instanceType } = observation;
  return {
    region,
    zone,
    instanceType,
    market: 'spot',
    price: recentMax ?? null,
    pricePerUtility: recentMax === undefined ? null : recentMax / type.utility,
    maxPrice: recentMax === undefined ? null : classicBid(recentMax, type.utility, minPrice),
    // The draw is uniform: every candidate has the same chance, so none outranks another.
    rank: null,
    launches: 0,
    excluded,
    detail: null,
  };
}

/**
 * §D.4 steps 3 and 6: twice the recent maximum rounded up to a millionth of a dollar, or, under
 * `minPrice` per utility, `minPrice ÷ utility` rounded up (the quirk: it can bid below the market).
 */
export function classicBid(recentMax: number, utility: number, minPrice: number): number {
  if (recentMax / utility < minPrice) return Math.ceil((minPrice / utility) * 1000000) / 1000000;
  return Math.ceil(recentMax * 2 * 1000000) / 1000000;
}

/** §D.4 steps 4–8, in the original's order. */
function draw(
  input: OfferSelectionInput,
  candidates: readonly ClassicCandidate[],
  random: () => number,
): Draws {
  const { definition } = input;
  const sanityCap = resolveLimits(input.limits).sanityCapPerInstanceHour;
  const launches: PlannedLaunch[] = [];
  let change = input.change;
  while (change > 0) {
    if (candidates.length === 0) {
      return {
        launches,
        stop: { reason: 'no-candidates', detail: `Could not create any bid for ${input.workerType}` },
      };
    }
    const index = Math.min(Math.floor(random() * candidates.length), candidates.length - 1);
    const { record, type, recentMax } = candidates[index] as ClassicCandidate;
    const truePrice = recentMax / type.utility;
    const bid = classicBid(recentMax, type.utility, definition.minPrice);
    if (!(truePrice <= definition.maxPrice)) {
      const detail = `drew ${record.region}/${record.zone}/${record.instanceType} at ${truePrice} per utility, over maxPrice ${definition.maxPrice}`;
      return { launches, stop: { reason: 'over-max-price', detail } };
    }
    change -= type.capacity;
    launches.push({
      region: record.region,
      zone: record.zone,
      instanceType: record.instanceType,
      market: 'spot',
      maxPrice: bid,
      price: recentMax,
      pricePerUtility: truePrice,
      capacity: type.capacity,
      utility: type.utility,
    });
    if (bid > sanityCap) {
      return {
        launches: [],
        stop: { reason: 'sanity-cap', detail: `bid ${bid} over the $${sanityCap}/h sanity cap` },
      };
    }
  }
  return { launches, stop: null };
}

/** Keeps the drawn launches, in order, that the per-region limit and the money caps allow. */
function applyGuardRails(
  input: OfferSelectionInput,
  drawn: readonly PlannedLaunch[],
  candidates: readonly ClassicCandidate[],
): PlannedLaunch[] {
  const ledger = LaunchLedger.for(input, resolveLimits(input.limits));
  const kept: PlannedLaunch[] = [];
  for (const launch of drawn) {
    const refusal = ledger.refusal(launch.region, launch.price);
    if (refusal === null) {
      ledger.record(launch.region, launch.price);
      kept.push(launch);
      continue;
    }
    const owner = candidates.find(({ record }) => samePool(record, launch));
    if (owner && owner.record.excluded === null) {
      owner.record.excluded = refusal.reason;
      owner.record.detail = refusal.detail;
    }
  }
  return kept;
}

function explainUnmet(
  input: OfferSelectionInput,
  plannedCapacity: number,
  stop: Draws['stop'],
  reasons: readonly UnmetReason[],
): UnmetCapacity | null {
  const unmet = unmetCapacity(
    Math.max(input.change, 0),
    plannedCapacity,
    stop === null ? reasons : [stop.reason, ...reasons],
  );
  if (unmet === null || stop === null) return unmet;
  return { ...unmet, message: `${stop.detail}; ${unmet.message}` };
}

function samePool(a: CandidateRecord, b: PlannedLaunch): boolean {
  return a.region === b.region && a.zone === b.zone && a.instanceType === b.instanceType;
}
