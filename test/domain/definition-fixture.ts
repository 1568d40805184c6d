import {
  type AvailabilityZoneConfig,
  instanceTypeConfig,
  type RegionConfig,
  regionConfig,
  type WorkerTypeDefinition,
} from '../../src/domain/worker-type.js';
import { exampleDefinition } from '../fixtures/worker-types.js';

/** An instance type entry with empty overrides. */
export const instanceType = instanceTypeConfig;

/** A region entry whose AMI is named after the region. */
export function region(name: string, overrides: Partial<RegionConfig> = {}): RegionConfig {
  return regionConfig(name, `ami-${name}`, overrides);
}

export function zone(
  regionName: string,
  availabilityZone: string,
  overrides: Partial<AvailabilityZoneConfig> = {},
): AvailabilityZoneConfig {
  return { region: regionName, availabilityZone, launchSpec: {}, secrets: {}, userData: {}, ...overrides };
}

/** The minimal valid definition of spec §C.1 (with an AMI named after its region), `overrides` applied. */
export function definition(overrides: Partial<WorkerTypeDefinition> = {}): WorkerTypeDefinition {
  return exampleDefinition({ regions: [region('us-west-2')], ...overrides });
}
