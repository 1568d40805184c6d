import type { Clock } from '../clock/clock.js';
import type { PriceObservation } from '../domain/offers.js';
import type { AvailabilityZone, CallOptions, Ec2Port, SpotPrice } from '../ec2/ec2-port.js';

/** On-demand USD per hour of an instance type in a region; undefined when unknown. */
export type OnDemandPrices = (region: string, instanceType: string) => number | undefined;

export interface PriceBookOptions {
  /** Spot price history is re-read this often per region. */
  priceTtlMs: number;
  /** The window the classic strategy takes its "recent maximum" from (30 min in the original). */
  windowMs: number;
  zoneTtlMs: number;
}

export const DEFAULT_PRICE_BOOK_OPTIONS: PriceBookOptions = {
  priceTtlMs: 5 * 60_000,
  windowMs: 30 * 60_000,
  zoneTtlMs: 60 * 60_000,
};

interface RegionPrices {
  fetchedAt: number;
  /** The instance types asked for (sorted, joined): another set of types is another question. */
  types: string;
  prices: SpotPrice[];
}

/**
 * Spot prices and zones per region, cached with a TTL (the original re-read every price every iteration
 * because of a typo in its rate limit). Prices become `PriceObservation`s per pool: the latest price, the
 * window's maximum and the on-demand price.
 */
export class PriceBook {
  private readonly prices = new Map<string, RegionPrices>();
  private readonly zones = new Map<string, { fetchedAt: number; zones: AvailabilityZone[] }>();

  constructor(
    private readonly ec2: Ec2Port,
    private readonly clock: Clock,
    private readonly onDemand: OnDemandPrices,
    private readonly options: PriceBookOptions = DEFAULT_PRICE_BOOK_OPTIONS,
  ) {}

  /** The catalog's on-demand price: what an instance whose price went unobserved costs at most. */
  onDemandPrice(region: string, instanceType: string): number | undefined {
    return this.onDemand(region, instanceType);
  }

  async zonesOf(region: string, options?: CallOptions): Promise<AvailabilityZone[]> {
    const now = this.clock.now();
    const cached = this.zones.get(region);
    if (cached && now - cached.fetchedAt < this.options.zoneTtlMs) return cached.zones;
    const zones = await this.ec2.describeAvailabilityZones(region, options);
    this.zones.set(region, { fetchedAt: now, zones });
    return zones;
  }

  /** Observations for every pool of `region` with a price (in an available zone). */
  async observe(
    region: string,
    instanceTypes: ReadonlySet<string>,
    options?: CallOptions,
  ): Promise<PriceObservation[]> {
    const [zones, history] = await Promise.all([
      this.zonesOf(region, options),
      this.history(region, instanceTypes, options),
    ]);
    const available = new Set(zones.map((z) => z.zoneName));
    const pools = new Map<string, PriceObservation & { latestAt: number }>();
    for (const point of history) {
      if (!available.has(point.zone) || !instanceTypes.has(point.instanceType)) continue;
      const key = `${point.zone}/${point.instanceType}`;
      let pool = pools.get(key);
      if (!pool) {
        pool = { region, zone: point.zone, instanceType: point.instanceType, latestAt: -Infinity };
        const onDemandPrice = this.onDemand(region, point.instanceType);
        if (onDemandPrice !== undefined) pool.onDemandPrice = onDemandPrice;
        pools.set(key, pool);
      }
      if (point.timestamp >= pool.latestAt) {
        pool.latestAt = point.timestamp;
        pool.spotPrice = point.price;
      }
      // The history was asked from the window's start, and EC2 includes the price in force then.
      pool.recentMaxSpotPrice = Math.max(pool.recentMaxSpotPrice ?? 0, point.price);
    }
    // Instance types with no spot price at all still have on-demand pools in every available zone.
    for (const instanceType of instanceTypes) {
      const onDemandPrice = this.onDemand(region, instanceType);
      if (onDemandPrice === undefined) continue;
      for (const zone of available) {
        const key = `${zone}/${instanceType}`;
        if (!pools.has(key)) pools.set(key, { region, zone, instanceType, onDemandPrice, latestAt: 0 });
      }
    }
    return [...pools.values()].map(({ latestAt: _latestAt, ...pool }) => pool);
  }

  /** Prices of the instance types in use only: a region's full history is thousands of points, pages of them. */
  private async history(
    region: string,
    instanceTypes: ReadonlySet<string>,
    options?: CallOptions,
  ): Promise<SpotPrice[]> {
    const now = this.clock.now();
    const key = [...instanceTypes].sort().join(',');
    const cached = this.prices.get(region);
    if (cached && cached.types === key && now - cached.fetchedAt < this.options.priceTtlMs)
      return cached.prices;
    const prices =
      instanceTypes.size > 0
        ? await this.ec2.describeSpotPrices(region, now - this.options.windowMs, [...instanceTypes], options)
        : [];
    this.prices.set(region, { fetchedAt: now, types: key, prices });
    return prices;
  }
}
