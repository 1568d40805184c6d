import { CATALOG_DATA } from './catalog-data.js';
import type { CatalogData } from './catalog-types.js';

export interface InstanceTypeInfo {
  name: string;
  vcpu: number;
  memoryGib: number;
  /** USD per hour in us-east-1. */
  onDemandUsEast1: number;
}

/** 0..4 = <5 %, 5-10 %, 10-15 %, 15-20 %, >20 % of spot instances interrupted per month. */
export type InterruptionBucket = 0 | 1 | 2 | 3 | 4;

export interface SpotAdvice {
  /** Typical saving of spot over on-demand, percent. */
  savingsPct: number;
  interruptionBucket: InterruptionBucket;
}

/** Representative monthly interruption fraction of each advisor bucket (the middle of its range). */
const BUCKET_MONTHLY_FRACTION: Record<InterruptionBucket, number> = {
  0: 0.025,
  1: 0.075,
  2: 0.125,
  3: 0.175,
  4: 0.25,
};

const MONTH_MS = 30 * 24 * 3600_000;

/** The built-in catalog: instance types, on-demand prices by region, spot advice by region and type. */
export class InstanceCatalog {
  private readonly types = new Map<string, InstanceTypeInfo>();
  private readonly advice = new Map<string, Map<string, SpotAdvice>>();

  constructor(private readonly data: CatalogData = CATALOG_DATA) {
    const names = data.instanceTypes.map(([name, vcpu, memoryGib, onDemandUsEast1]) => {
      this.types.set(name, { name, vcpu, memoryGib, onDemandUsEast1 });
      return name;
    });
    for (const [region, cells] of Object.entries(data.spotAdvice)) {
      const byType = new Map<string, SpotAdvice>();
      cells.split(',').forEach((cell, index) => {
        const name = names[index];
        if (cell === '' || name === undefined) return;
        const [savings, bucket] = cell.split('/').map(Number);
        byType.set(name, {
          savingsPct: savings ?? 0,
          interruptionBucket: Math.min(4, Math.max(0, bucket ?? 0)) as InterruptionBucket,
        });
      });
      this.advice.set(region, byType);
    }
  }

  instanceType(name: string): InstanceTypeInfo | undefined {
    return this.types.get(name);
  }

  instanceTypeNames(): string[] {
    return [...this.types.keys()];
  }

  /** Regions the catalog has spot advice for. */
  regions(): string[] {
    return [...this.advice.keys()];
  }

  regionFactor(region: string): number {
    return this.data.regionFactors[region] ?? this.data.defaultRegionFactor;
  }

  /** USD per hour, or undefined for an unknown type. */
  onDemandPrice(region: string, instanceType: string): number | undefined {
    const info = this.types.get(instanceType);
    return info === undefined ? undefined : round6(info.onDemandUsEast1 * this.regionFactor(region));
  }

  /**
   * Spot advice for the type in the region. Regions missing from the advisor data borrow us-east-1's
   * advice, so any region name gives a usable world.
   */
  spotAdvice(region: string, instanceType: string): SpotAdvice | undefined {
    const byType = this.advice.get(region) ?? this.advice.get('us-east-1');
    return byType?.get(instanceType);
  }

  /** Whether the type is offered in the region (it has spot advice there). */
  isOffered(region: string, instanceType: string): boolean {
    return this.spotAdvice(region, instanceType) !== undefined;
  }

  /** Interruption hazard of one spot instance, per millisecond, from its advisor bucket. */
  interruptionRatePerMs(region: string, instanceType: string): number {
    const advice = this.spotAdvice(region, instanceType);
    if (advice === undefined) return 0;
    return -Math.log(1 - BUCKET_MONTHLY_FRACTION[advice.interruptionBucket]) / MONTH_MS;
  }
}

export function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
