import type { InstanceCatalog } from '../../catalog/instance-catalog.js';
import { hashString } from '../random.js';
import type { Ec2Scenario } from './scenario.js';
import { ModelPriceSeries, type PricePoint, type SpotPriceSeries } from './spot-price-series.js';
import type { SpotPriceTrace } from './spot-price-trace.js';

/** A price spike or a set price (a fault): applies to the matching series while `from <= t < until`. */
export interface PriceOverride {
  region: string;
  zone?: string;
  instanceType?: string;
  from: number;
  until: number;
  multiplier?: number;
  price?: number;
}

export interface SpotMarketOptions {
  catalog: InstanceCatalog;
  scenario: Ec2Scenario;
  /** The world's start: model series begin here, a trace's first instant is moved here. */
  start: number;
  trace?: SpotPriceTrace;
  zoneIdOf: (region: string, zone: string) => string | undefined;
}

/** Spot prices per zone x instance type: a trace where it has data, the seeded model elsewhere. */
export class SpotMarket {
  private readonly series = new Map<string, SpotPriceSeries>();
  private readonly overrides: PriceOverride[] = [];

  constructor(private readonly options: SpotMarketOptions) {}

  /** USD per hour at `time`; undefined when the type is not offered in the region. */
  price(region: string, zone: string, instanceType: string, time: number): number | undefined {
    const series = this.seriesFor(region, zone, instanceType);
    if (series === undefined) return undefined;
    return this.adjust(region, zone, instanceType, time, series.priceAt(time));
  }

  /** Points in [from, to] plus the one in effect at `from`, overrides applied. */
  history(region: string, zone: string, instanceType: string, from: number, to: number): PricePoint[] {
    const series = this.seriesFor(region, zone, instanceType);
    if (series === undefined) return [];
    const base = series.history(from, to);
    const matching = this.overrides.filter((o) => matches(o, region, zone, instanceType));
    if (matching.length === 0) return base;
    const times = new Set(base.map((point) => point.time));
    for (const override of matching) {
      for (const time of [override.from, override.until]) if (time <= to) times.add(time);
    }
    const sorted = [...times].sort((a, b) => a - b);
    const firstInWindow = sorted.findIndex((time) => time >= from);
    const start = firstInWindow < 0 ? sorted.length - 1 : Math.max(0, firstInWindow - 1);
    const kept = sorted[firstInWindow] === from ? sorted.slice(firstInWindow) : sorted.slice(start);
    return kept.map((time) => ({
      time,
      price: this.adjust(region, zone, instanceType, time, series.priceAt(time)),
    }));
  }

  addOverride(override: PriceOverride): void {
    this.overrides.push(override);
  }

  /** Types with a price in the region (offered there). */
  offeredTypes(region: string): string[] {
    const { catalog } = this.options;
    return catalog.instanceTypeNames().filter((type) => catalog.isOffered(region, type));
  }

  private adjust(region: string, zone: string, instanceType: string, time: number, base: number): number {
    let price = base;
    for (const override of this.overrides) {
      if (time < override.from || time >= override.until || !matches(override, region, zone, instanceType))
        continue;
      if (override.price !== undefined) price = override.price;
      if (override.multiplier !== undefined) price = Number((price * override.multiplier).toPrecision(4));
    }
    return price;
  }

  private seriesFor(region: string, zone: string, instanceType: string): SpotPriceSeries | undefined {
    const key = `${zone}|${instanceType}`;
    const known = this.series.get(key);
    if (known !== undefined) return known;
    const { catalog, scenario, start, trace } = this.options;
    const advice = catalog.spotAdvice(region, instanceType);
    const onDemand = catalog.onDemandPrice(region, instanceType);
    if (advice === undefined || onDemand === undefined) return undefined;
    const zoneId = this.options.zoneIdOf(region, zone) ?? zone;
    const created =
      trace?.seriesFor(region, zoneId, instanceType, start) ??
      new ModelPriceSeries(
        {
          mean: onDemand * (1 - advice.savingsPct / 100) * zoneFactor(scenario.seed, zoneId, instanceType),
          ceiling: onDemand,
          stepMs: scenario.prices.stepMs,
          volatility: scenario.prices.volatility,
          reversion: scenario.prices.reversion,
          changeProbability: scenario.prices.changeProbability,
        },
        `${String(scenario.seed)}/price/${zone}/${instanceType}`,
        start,
      );
    this.series.set(key, created);
    return created;
  }
}

function matches(override: PriceOverride, region: string, zone: string, instanceType: string): boolean {
  return (
    override.region === region &&
    (override.zone === undefined || override.zone === zone) &&
    (override.instanceType === undefined || override.instanceType === instanceType)
  );
}

/** Zones differ a little in price (0.85x to 1.15x of the advisor mean), stably per seed. */
function zoneFactor(seed: number | string, zoneId: string, instanceType: string): number {
  return 0.85 + (hashString(`${String(seed)}/zone-factor/${zoneId}/${instanceType}`) % 3001) / 10_000;
}
