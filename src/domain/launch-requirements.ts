import { configuredZones, mergeLevels, selectEntries } from './launch-spec-rules.js';
import type { WorkerTypeDefinition } from './worker-type.js';

export interface RegionRequirements {
  imageIds: Set<string>;
  securityGroups: Set<string>;
}

/**
 * The AMIs and security group names each region's launches would use (spec §C.5), merging every
 * zone × instance type combination the way launch specs are assembled (§C.4).
 */
export function launchRequirements(definition: WorkerTypeDefinition): Map<string, RegionRequirements> {
  const byRegion = new Map<string, RegionRequirements>();
  for (const { region } of definition.regions) {
    const zones: (string | undefined)[] = configuredZones(definition, region);
    const needs: RegionRequirements = { imageIds: new Set(), securityGroups: new Set() };
    for (const zone of zones.length > 0 ? zones : [undefined]) {
      for (const { instanceType } of definition.instanceTypes) {
        const entries = selectEntries(definition, region, zone, instanceType);
        const merged = mergeLevels([
          definition.launchSpec,
          entries.region?.launchSpec,
          entries.zone?.launchSpec,
          entries.instanceType?.launchSpec,
        ]);
        if (typeof merged.ImageId === 'string') needs.imageIds.add(merged.ImageId);
        if (Array.isArray(merged.SecurityGroups)) {
          for (const group of merged.SecurityGroups)
            if (typeof group === 'string') needs.securityGroups.add(group);
        }
      }
    }
    byRegion.set(region, needs);
  }
  return byRegion;
}
