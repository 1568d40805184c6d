import type {
  AvailabilityZoneConfig,
  InstanceTypeConfig,
  RegionConfig,
  WorkerTypeDefinition,
} from '../../src/domain/worker-type.js';

/** An instance type entry with empty overrides. */
export function instanceType(name: string, overrides: Partial<InstanceTypeConfig> = {}): InstanceTypeConfig {
  return {
    instanceType: name,
    capacity: 1,
    utility: 1,
    launchSpec: {},
    secrets: {},
    userData: {},
    scopes: [],
    ...overrides,
  };
}

/** A region entry whose AMI is named after the region. */
export function region(name: string, overrides: Partial<RegionConfig> = {}): RegionConfig {
  return {
    region: name,
    launchSpec: { ImageId: `ami-${name}` },
    secrets: {},
    userData: {},
    scopes: [],
    ...overrides,
  };
}

export function zone(
  regionName: string,
  availabilityZone: string,
  overrides: Partial<AvailabilityZoneConfig> = {},
): AvailabilityZoneConfig {
  return { region: regionName, availabilityZone, launchSpec: {}, secrets: {}, userData: {}, ...overrides };
}

/** The minimal valid definition of spec §C.1, with `overrides` applied. */
export function definition(overrides: Partial<WorkerTypeDefinition> = {}): WorkerTypeDefinition {
  return {
    description: 'Example linux workers',
    owner: 'team@example.com',
    launchSpec: { SecurityGroups: ['docker-worker'] },
    userData: {},
    secrets: {},
    scopes: [],
    minCapacity: 0,
    maxCapacity: 20,
    scalingRatio: 0,
    minPrice: 0,
    maxPrice: 0.5,
    canUseOndemand: false,
    canUseSpot: true,
    instanceTypes: [instanceType('c5.xlarge'), instanceType('c5.2xlarge', { capacity: 2, utility: 2 })],
    regions: [region('us-west-2')],
    availabilityZones: [],
    ...overrides,
  };
}
