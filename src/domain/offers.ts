/**
 * The vocabulary shared by the offer-selection strategies (`selectOffers`, `selectOffersClassic`): what
 * they read (prices, capacity failures, existing capacity, budgets, limits) and what they return (the
 * planned launches and a JSON-able decision record). Plain data only; no I/O, no clock, no SDK types.
 */
import type { LaunchOffer } from './launch-spec.js';
import type { WorkerTypeDefinition } from './worker-type.js';

export type Market = 'spot' | 'on-demand';

/** One capacity pool: an instance type in one zone. */
export interface Pool {
  region: string;
  zone: string;
  instanceType: string;
}

/** What is known of one pool's prices (USD per instance hour); a missing price means "no data". */
export interface PriceObservation extends Pool {
  /** The latest spot price. */
  spotPrice?: number;
  /** The highest spot price of the last 30 minutes (what the classic strategy bids from). */
  recentMaxSpotPrice?: number;
  /** The region's on-demand price of the instance type (the same in every zone). */
  onDemandPrice?: number;
}

/**
 * What an instance of `pool` costs per hour in `market`, from price observations indexed once: spot falls back
 * to on-demand when the pool has no spot price. Looked up by region, zone and type in turn, not by a key
 * built per lookup: the loop prices every instance it sees, every iteration.
 */
export function hourlyPrices(
  prices: readonly PriceObservation[],
): (pool: Pool, market: Market) => number | undefined {
  const byRegion = new Map<string, Map<string, Map<string, PriceObservation>>>();
  for (const p of prices) {
    const byZone = byRegion.get(p.region) ?? new Map<string, Map<string, PriceObservation>>();
    byRegion.set(p.region, byZone);
    const byType = byZone.get(p.zone) ?? new Map<string, PriceObservation>();
    byZone.set(p.zone, byType);
    byType.set(p.instanceType, p);
  }
  return (pool, market) => {
    const observed = byRegion.get(pool.region)?.get(pool.zone)?.get(pool.instanceType);
    return market === 'spot' ? (observed?.spotPrice ?? observed?.onDemandPrice) : observed?.onDemandPrice;
  };
}

/** A pool that recently refused capacity (e.g. InsufficientInstanceCapacity): skipped until `until`. */
export interface CapacityFailure extends Pool {
  market: Market;
  /** Epoch ms. */
  until: number;
  reason: string;
  /**
   * An account quota refused it, so every pool of the market in the region under the same quota is
   * skipped: those whose instance type is in the same quota group (`quotaGroupOf`), or of the same
   * instance type. Absent: this pool only.
   */
  quota?: 'quota-group' | 'instance-type';
  /** EC2 refused this max price as too low there: only offers at no higher a max price are skipped. */
  refusedMaxPrice?: number;
}

/** Capacity units this worker type already has (running, pending or requested) in one pool. */
export interface PoolCapacity extends Pool {
  market: Market;
  capacity: number;
}

export interface OfferLimits {
  /** Launches one worker type may plan in one region per iteration (the original truncated at 200). */
  maxLaunchesPerRegion: number;
  /** Launches other worker types already planned in each region this iteration (shares the limit). */
  regionLaunchesUsed: Readonly<Record<string, number>>;
  /** No instance is planned, and no spot max price submitted, above this many USD per hour. */
  sanityCapPerInstanceHour: number;
  /** Pools within this fraction of the cheapest price per utility share the launches (0.15 = 15 %). */
  spreadTolerance: number;
  /** When true, on-demand offers over `maxPrice` per utility are excluded like spot ones. */
  onDemandRespectsMaxPrice: boolean;
}

export const DEFAULT_OFFER_LIMITS: OfferLimits = {
  maxLaunchesPerRegion: 200,
  regionLaunchesUsed: {},
  sanityCapPerInstanceHour: 10,
  spreadTolerance: 0.15,
  onDemandRespectsMaxPrice: false,
};

export type OfferDefinition = Pick<
  WorkerTypeDefinition,
  | 'instanceTypes'
  | 'regions'
  | 'availabilityZones'
  | 'minPrice'
  | 'maxPrice'
  | 'canUseSpot'
  | 'canUseOndemand'
  | 'maxHourlySpend'
>;

export interface OfferSelectionInput {
  workerType: string;
  definition: OfferDefinition;
  /** Capacity units to add; nothing is planned unless it is > 0. */
  change: number;
  /** Prices of the pools in the service's allowed regions only. */
  prices: readonly PriceObservation[];
  capacityFailures?: readonly CapacityFailure[];
  existingCapacity?: readonly PoolCapacity[];
  /** This worker type's current spend, USD per hour (counts against `maxHourlySpend`). */
  currentHourlySpend?: number;
  /** What the provisioner-wide cap still allows this iteration, USD per hour; absent = no cap. */
  remainingHourlyBudget?: number;
  /** Epoch ms; tells which capacity failures are still in force. */
  now: number;
  limits?: Partial<OfferLimits>;
}

/** One instance to launch. */
export interface PlannedLaunch extends Pool {
  market: Market;
  /** Spot: the MaxPrice submitted to EC2 (USD/hour); on-demand: null (no max price is submitted). */
  maxPrice: number | null;
  /** The current hourly price this launch is planned (and budgeted) at. */
  price: number;
  pricePerUtility: number;
  capacity: number;
  utility: number;
}

export type ExclusionReason =
  | 'zone-not-allowed'
  | 'spot-not-allowed'
  | 'on-demand-not-allowed'
  | 'invalid-instance-type'
  | 'no-price'
  | 'over-max-price'
  | 'above-on-demand'
  | 'sanity-cap'
  | 'capacity-failure'
  | 'disallowed-combo'
  | 'budget'
  | 'quota'
  /** A half-open circuit breaker's trial allowed fewer launches than this offer would have had. */
  | 'breaker';

export type UnmetReason = ExclusionReason | 'no-candidates';

/** One candidate offer as the decision record shows it. */
export interface CandidateRecord extends Pool {
  market: Market;
  /** Hourly price, or null when there is no data. */
  price: number | null;
  /** The score: lower is better. */
  pricePerUtility: number | null;
  maxPrice: number | null;
  /** 1 = best among the candidates that were not excluded up front; null for those that were. */
  rank: number | null;
  launches: number;
  /** Why it got no (further) launches; null when it was usable to the end. */
  excluded: ExclusionReason | null;
  detail: string | null;
}

export interface UnmetCapacity {
  capacity: number;
  reasons: UnmetReason[];
  message: string;
}

export interface OfferPlan {
  strategy: 'default' | 'classic';
  workerType: string;
  change: number;
  launches: PlannedLaunch[];
  plannedCapacity: number;
  plannedHourlySpend: number;
  candidates: CandidateRecord[];
  unmet: UnmetCapacity | null;
}

/** Both strategies fit this shape, so callers can swap them (the default one ignores `random`). */
export type OfferSelector = (input: OfferSelectionInput, random: () => number) => OfferPlan;

/** Tolerance for float sums of prices and capacities. */
export const EPSILON = 1e-9;

/** The limits with defaults for every one missing (an explicit `undefined` counts as missing). */
export function resolveLimits(limits: Partial<OfferLimits> | undefined): OfferLimits {
  const resolved: Record<string, unknown> = { ...DEFAULT_OFFER_LIMITS };
  for (const [key, value] of Object.entries(limits ?? {})) if (value !== undefined) resolved[key] = value;
  return resolved as unknown as OfferLimits;
}

export function poolName(pool: Pool): string {
  return `${pool.region}/${pool.zone}/${pool.instanceType}`;
}

export function poolKey(pool: Pool, market: Market): string {
  return `${market}:${poolName(pool)}`;
}

/**
 * A price the planner may weigh: a finite number ≥ 0. Anything else (NaN from a malformed answer) compares
 * false with every limit, so it would pass the max price and the money caps.
 */
export function usablePrice(price: number | undefined): number | undefined {
  return price !== undefined && Number.isFinite(price) && price >= 0 ? price : undefined;
}

/** Prices in USD, to a millionth of a dollar, so records and submitted prices carry no float noise. */
export function roundPrice(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

export function compareNames(a: Pool, b: Pool): number {
  const left = poolName(a);
  const right = poolName(b);
  return left < right ? -1 : left > right ? 1 : 0;
}

/** The launch offer `buildLaunchSpec` takes (`spotBid` = max price, `price` = price per utility). */
export function toLaunchOffer(launch: PlannedLaunch): LaunchOffer {
  const { region, zone, instanceType, maxPrice, pricePerUtility } = launch;
  return { region, zone, instanceType, spotBid: maxPrice, price: pricePerUtility };
}

/**
 * The limits that only tighten as launches are planned: launches per region and the money caps. Every
 * launch is charged its current hourly price against both the worker type's `maxHourlySpend` (on top
 * of what it already spends) and the provisioner-wide remaining budget.
 */
export class LaunchLedger {
  private readonly regionLaunches = new Map<string, number>();
  private planned = 0;

  constructor(
    private readonly limits: OfferLimits,
    private readonly currentHourlySpend: number,
    private readonly maxHourlySpend: number | undefined,
    private readonly remainingHourlyBudget: number | undefined,
  ) {}

  static for(input: OfferSelectionInput, limits: OfferLimits): LaunchLedger {
    const { definition, currentHourlySpend, remainingHourlyBudget } = input;
    return new LaunchLedger(
      limits,
      currentHourlySpend ?? 0,
      definition.maxHourlySpend,
      remainingHourlyBudget,
    );
  }

  /** Why one more launch in `region` at `price` may not be planned, or null when it may. */
  refusal(region: string, price: number): { reason: 'quota' | 'budget'; detail: string } | null {
    const used = (this.limits.regionLaunchesUsed[region] ?? 0) + (this.regionLaunches.get(region) ?? 0);
    if (used >= this.limits.maxLaunchesPerRegion) {
      return { reason: 'quota', detail: `${this.limits.maxLaunchesPerRegion} launches per region reached` };
    }
    const spend = this.planned + price;
    if (
      this.maxHourlySpend !== undefined &&
      this.currentHourlySpend + spend > this.maxHourlySpend + EPSILON
    ) {
      return { reason: 'budget', detail: `would exceed maxHourlySpend ${this.maxHourlySpend}` };
    }
    if (this.remainingHourlyBudget !== undefined && spend > this.remainingHourlyBudget + EPSILON) {
      return {
        reason: 'budget',
        detail: `would exceed the provisioner's budget ${this.remainingHourlyBudget}`,
      };
    }
    return null;
  }

  record(region: string, price: number): void {
    this.regionLaunches.set(region, (this.regionLaunches.get(region) ?? 0) + 1);
    this.planned += price;
  }

  get plannedSpend(): number {
    return roundPrice(this.planned);
  }
}

const REASON_ORDER: readonly UnmetReason[] = [
  'no-candidates',
  'spot-not-allowed',
  'on-demand-not-allowed',
  'zone-not-allowed',
  'invalid-instance-type',
  'disallowed-combo',
  'no-price',
  'over-max-price',
  'above-on-demand',
  'sanity-cap',
  'capacity-failure',
  'quota',
  'budget',
  'breaker',
];

/** The capacity left unmet and every reason the candidates give for it; null when `change` is covered. */
export function unmetCapacity(
  change: number,
  plannedCapacity: number,
  reasons: Iterable<UnmetReason>,
): UnmetCapacity | null {
  const capacity = change - plannedCapacity;
  if (capacity <= EPSILON) return null;
  const distinct = new Set(reasons);
  if (distinct.size === 0) distinct.add('no-candidates');
  const sorted = REASON_ORDER.filter((reason) => distinct.has(reason));
  return { capacity, reasons: sorted, message: `${capacity} capacity units unmet: ${sorted.join(', ')}` };
}

/** The plan's totals from its launches. */
export function planTotals(launches: readonly PlannedLaunch[]) {
  return {
    plannedCapacity: launches.reduce((sum, launch) => sum + launch.capacity, 0),
    plannedHourlySpend: roundPrice(launches.reduce((sum, launch) => sum + launch.price, 0)),
  };
}
