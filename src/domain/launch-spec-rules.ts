/**
 * The launch specification rules of spec §C.3: which keys may appear where, and which definitions the
 * generator (§C.4) can turn into a launch specification. Pure; every problem names where it is.
 *
 * Availability zone rule (a deliberate change from the original): a region with `availabilityZones`
 * entries may launch only in those zones; a region without entries may launch in any of its zones. The
 * original demanded entries for every region as soon as one region had any, so create/update failed.
 */
import type {
  AvailabilityZoneConfig,
  InstanceTypeConfig,
  JsonObject,
  RegionConfig,
  WorkerTypeDefinition,
} from './worker-type.js';

/** The one list of keys a launchSpec may hold, at any level (the RequestSpotInstances vocabulary). */
export const ALLOWED_LAUNCH_SPEC_KEYS: readonly string[] = [
  'ImageId',
  'InstanceType',
  'KeyName',
  'SecurityGroups',
  'SecurityGroupIds',
  'AddressingType',
  'BlockDeviceMappings',
  'EbsOptimized',
  'IamInstanceProfile',
  'KernelId',
  'MonitoringEnabled',
  'NetworkInterfaces',
  'Placement',
  'RamdiskId',
  'SubnetId',
  'UserData',
];
const ALLOWED_KEYS = new Set(ALLOWED_LAUNCH_SPEC_KEYS);

type LevelKind = 'general' | 'region' | 'zone' | 'type';

/** Keys that belong to another level, with the original's wording. */
const MISPLACED_KEYS: Record<LevelKind, Readonly<Record<string, string>>> = {
  general: {
    InstanceType: 'InstanceType is type specific, not general',
    ImageId: 'ImageId is region specific, not general',
  },
  region: { InstanceType: 'InstanceType is type specific, not region specific' },
  // The original never checked zone entries for these keys; neither do we (an AMI per zone is harmless).
  zone: {},
  type: { ImageId: 'ImageId is region specific, not type specific' },
};

/** Which part of a definition a problem check covers; an empty scope means the whole definition. */
export interface ProblemScope {
  region?: string;
  zone?: string;
  instanceType?: string;
}

/** The entries of a definition that one launch in `region`/`zone` of `instanceType` merges. */
export interface SelectedEntries {
  region: RegionConfig | undefined;
  zone: AvailabilityZoneConfig | undefined;
  instanceType: InstanceTypeConfig | undefined;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The zones a region is restricted to; empty means any zone of the region (see the module comment). */
export function configuredZones(definition: Pick<WorkerTypeDefinition, 'availabilityZones'>, region: string) {
  return definition.availabilityZones.filter((z) => z.region === region).map((z) => z.availabilityZone);
}

/** Whether the definition allows launching in `zone` of `region`. */
export function isZoneAllowed(
  definition: Pick<WorkerTypeDefinition, 'availabilityZones'>,
  region: string,
  zone: string,
): boolean {
  const zones = configuredZones(definition, region);
  return zone.startsWith(region) && (zones.length === 0 || zones.includes(zone));
}

export function selectEntries(
  definition: WorkerTypeDefinition,
  region: string,
  zone: string | undefined,
  instanceType: string,
): SelectedEntries {
  return {
    region: definition.regions.find((r) => r.region === region),
    zone: definition.availabilityZones.find((z) => z.region === region && z.availabilityZone === zone),
    instanceType: definition.instanceTypes.find((t) => t.instanceType === instanceType),
  };
}

/** Shallow per-key merge, later levels win; values are copied so the result never aliases the definition. */
export function mergeLevels(levels: readonly (JsonObject | undefined)[]): JsonObject {
  const merged: JsonObject = {};
  for (const level of levels) {
    for (const [key, value] of Object.entries(level ?? {})) merged[key] = structuredClone(value);
  }
  return merged;
}

const regionWhere = (r: RegionConfig, i: number) => `regions[${i}] (${r.region})`;
const typeWhere = (t: InstanceTypeConfig, i: number) => `instanceTypes[${i}] (${t.instanceType})`;
const zoneWhere = (z: AvailabilityZoneConfig, i: number) => `availabilityZones[${i}] (${z.availabilityZone})`;

/** Every problem of §C.3 for the definition (or the part of it `scope` names), each reported once. */
export function launchSpecProblems(definition: WorkerTypeDefinition, scope: ProblemScope = {}): string[] {
  const inScope = (key: keyof ProblemScope, value: string) =>
    scope[key] === undefined || scope[key] === value;
  const problems = [
    ...levelProblems('launchSpec', 'general', definition.launchSpec),
    ...duplicateProblems(definition.regions, (r) => r.region, regionWhere, 'region'),
    ...duplicateProblems(definition.instanceTypes, (t) => t.instanceType, typeWhere, 'instanceType'),
    ...duplicateProblems(
      definition.availabilityZones,
      (z) => z.availabilityZone,
      zoneWhere,
      'availabilityZone',
    ),
  ];
  definition.regions.forEach((region, i) => {
    if (inScope('region', region.region)) problems.push(...regionProblems(region, regionWhere(region, i)));
  });
  definition.instanceTypes.forEach((type, i) => {
    if (inScope('instanceType', type.instanceType)) problems.push(...typeProblems(type, typeWhere(type, i)));
  });
  definition.availabilityZones.forEach((zone, i) => {
    if (inScope('region', zone.region) && inScope('zone', zone.availabilityZone)) {
      problems.push(...zoneProblems(definition, zone, zoneWhere(zone, i)));
    }
  });
  problems.push(...combinationProblems(definition, scope));
  return [...new Set(problems)];
}

function levelProblems(where: string, kind: LevelKind, spec: unknown): string[] {
  if (!isJsonObject(spec)) return [`${where} must be an object`];
  const problems: string[] = [];
  for (const key of Object.keys(spec)) {
    const misplaced = MISPLACED_KEYS[kind][key];
    if (!ALLOWED_KEYS.has(key)) problems.push(`${where}: invalid key ${JSON.stringify(key)}`);
    else if (key === 'UserData') problems.push(`${where}: UserData is written by the provisioner, remove it`);
    else if (misplaced !== undefined) problems.push(`${where}: ${misplaced}`);
  }
  if ('ImageId' in spec && !MISPLACED_KEYS[kind].ImageId && !isNonEmptyString(spec.ImageId)) {
    problems.push(`${where}: ImageId must be a non-empty string`);
  }
  if ('Placement' in spec && !isJsonObject(spec.Placement)) {
    problems.push(`${where}: Placement must be an object`);
  }
  return problems;
}

function duplicateProblems<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  where: (item: T, index: number) => string,
  field: string,
): string[] {
  const seen = new Set<string>();
  const problems: string[] = [];
  items.forEach((item, i) => {
    const key = keyOf(item);
    if (seen.has(key)) problems.push(`${where(item, i)}: ${field} must be unique`);
    seen.add(key);
  });
  return problems;
}

function regionProblems(region: RegionConfig, where: string): string[] {
  const problems = levelProblems(`${where}.launchSpec`, 'region', region.launchSpec);
  if (isJsonObject(region.launchSpec) && !('ImageId' in region.launchSpec)) {
    problems.push(`${where}.launchSpec: ImageId is required`);
  }
  return problems;
}

function typeProblems(type: InstanceTypeConfig, where: string): string[] {
  const problems = levelProblems(`${where}.launchSpec`, 'type', type.launchSpec);
  // Capacity converts instances into capacity units and utility divides prices: both must be positive.
  if (!(type.capacity > 0)) problems.push(`${where}.capacity must be greater than 0, got ${type.capacity}`);
  if (!(type.utility > 0)) problems.push(`${where}.utility must be greater than 0, got ${type.utility}`);
  return problems;
}

function zoneProblems(definition: WorkerTypeDefinition, zone: AvailabilityZoneConfig, where: string) {
  const problems = levelProblems(`${where}.launchSpec`, 'zone', zone.launchSpec);
  if (!definition.regions.some((r) => r.region === zone.region)) {
    problems.push(
      `${where}: zone is configured but region ${zone.region} is not one of the worker type's regions`,
    );
  }
  if (!zone.availabilityZone.startsWith(zone.region)) {
    problems.push(`${where}: zone is not in region ${zone.region}`);
  }
  return problems;
}

/** Problems that only show once the levels are merged: every region × zone × instance type the generator uses. */
function combinationProblems(definition: WorkerTypeDefinition, scope: ProblemScope): string[] {
  const problems: string[] = [];
  for (const [ri, region] of definition.regions.entries()) {
    if (scope.region !== undefined && scope.region !== region.region) continue;
    const zones = definition.availabilityZones
      .map((zone, zi) => ({ zone, where: zoneWhere(zone, zi) }))
      .filter(({ zone }) => zone.region === region.region)
      .filter(({ zone }) => scope.zone === undefined || zone.availabilityZone === scope.zone);
    const zoneLevels = zones.length > 0 ? zones : [undefined];
    for (const [ti, type] of definition.instanceTypes.entries()) {
      if (scope.instanceType !== undefined && scope.instanceType !== type.instanceType) continue;
      for (const zone of zoneLevels) {
        const levels = [
          { where: 'launchSpec', spec: definition.launchSpec },
          { where: `${regionWhere(region, ri)}.launchSpec`, spec: region.launchSpec },
          ...(zone ? [{ where: `${zone.where}.launchSpec`, spec: zone.zone.launchSpec }] : []),
          { where: `${typeWhere(type, ti)}.launchSpec`, spec: type.launchSpec },
        ];
        problems.push(...subnetProblems(levels));
      }
    }
  }
  return problems;
}

/** EC2 refuses group names with a subnet; the keys may come from different levels, so name both. */
function subnetProblems(levels: readonly { where: string; spec: unknown }[]): string[] {
  const setBy = (key: string) => levels.findLast(({ spec }) => isJsonObject(spec) && key in spec)?.where;
  const subnet = setBy('SubnetId');
  const groups = setBy('SecurityGroups');
  if (subnet === undefined || groups === undefined) return [];
  const origin = subnet === groups ? '' : ` (set in ${groups})`;
  return [`${subnet}: SubnetId cannot be used with SecurityGroups${origin}; use SecurityGroupIds`];
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}
