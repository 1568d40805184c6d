import type { Ec2Scenario } from './scenario.js';

/** A temporary capacity limit (a fault): matching pools hold at most `capacity` while `from <= t < until`. */
export interface CapacityOverride {
  region: string;
  zone?: string;
  instanceType?: string;
  capacity: number;
  from: number;
  until: number;
}

/** How many instances each pool (zone x instance type) can hold at once, and how many it holds. */
export class CapacityPools {
  private readonly used = new Map<string, number>();
  private overrides: CapacityOverride[] = [];

  constructor(private readonly scenario: Ec2Scenario) {}

  capacity(region: string, zone: string, instanceType: string, now: number): number {
    let capacity =
      this.scenario.capacity.pools[`${zone}/${instanceType}`] ?? this.scenario.capacity.defaultPerPool;
    this.overrides = this.overrides.filter((override) => override.until > now);
    for (const override of this.overrides) {
      if (override.from > now || override.region !== region) continue;
      if (override.zone !== undefined && override.zone !== zone) continue;
      if (override.instanceType !== undefined && override.instanceType !== instanceType) continue;
      capacity = Math.min(capacity, override.capacity);
    }
    return capacity;
  }

  /** Instances the pool can still take now. */
  free(region: string, zone: string, instanceType: string, now: number): number {
    return Math.max(0, this.capacity(region, zone, instanceType, now) - this.inUse(zone, instanceType));
  }

  inUse(zone: string, instanceType: string): number {
    return this.used.get(`${zone}/${instanceType}`) ?? 0;
  }

  occupy(zone: string, instanceType: string): void {
    const key = `${zone}/${instanceType}`;
    this.used.set(key, (this.used.get(key) ?? 0) + 1);
  }

  release(zone: string, instanceType: string): void {
    const key = `${zone}/${instanceType}`;
    this.used.set(key, Math.max(0, (this.used.get(key) ?? 0) - 1));
  }

  addOverride(override: CapacityOverride): void {
    this.overrides.push(override);
  }
}
