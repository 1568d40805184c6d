/**
 * The worker type definition (spec §C) and the pure rules around it. No I/O here.
 */

export type JsonObject = Record<string, unknown>;

export interface InstanceTypeConfig {
  instanceType: string;
  /** Tasks one instance runs at once; converts instance counts into capacity units. */
  capacity: number;
  /** Relative performance: spot price is divided by it to compare offers. */
  utility: number;
  launchSpec: JsonObject;
  secrets: JsonObject;
  userData: JsonObject;
  scopes: string[];
}

export interface RegionConfig {
  region: string;
  launchSpec: JsonObject & { ImageId: string };
  secrets: JsonObject;
  userData: JsonObject;
  scopes: string[];
}

export interface AvailabilityZoneConfig {
  region: string;
  availabilityZone: string;
  launchSpec: JsonObject;
  secrets: JsonObject;
  userData: JsonObject;
}

/** The body of createWorkerType/updateWorkerType once schema defaults are applied. */
export interface WorkerTypeDefinition {
  description: string;
  owner: string;
  launchSpec: JsonObject;
  userData: JsonObject;
  secrets: JsonObject;
  scopes: string[];
  minCapacity: number;
  maxCapacity: number;
  scalingRatio: number;
  minPrice: number;
  maxPrice: number;
  canUseOndemand: boolean;
  canUseSpot: boolean;
  instanceTypes: InstanceTypeConfig[];
  regions: RegionConfig[];
  availabilityZones: AvailabilityZoneConfig[];
  /** Beyond the original: a cap on this worker type's planned spend, USD per hour. */
  maxHourlySpend?: number;
}

/** A stored worker type, as the API returns it. */
export interface WorkerType extends WorkerTypeDefinition {
  workerType: string;
  /** ISO-8601; also written into every instance's user data. */
  lastModified: string;
}

export const WORKER_TYPE_NAME = /^[a-zA-Z0-9-_]{1,38}$/;

/** Keys compared when createWorkerType meets an existing definition (spec §B.2 step 5). */
export const COMPARED_KEYS = [
  'launchSpec',
  'userData',
  'secrets',
  'scopes',
  'minCapacity',
  'maxCapacity',
  'scalingRatio',
  'minPrice',
  'maxPrice',
  'canUseOndemand',
  'canUseSpot',
  'instanceTypes',
  'regions',
  'availabilityZones',
  'maxHourlySpend',
] as const satisfies readonly (keyof WorkerTypeDefinition)[];

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const aKeys = Object.keys(a).filter((k) => (a as JsonObject)[k] !== undefined);
  const bKeys = Object.keys(b).filter((k) => (b as JsonObject)[k] !== undefined);
  if (aKeys.length !== bKeys.length) return false;
  return aKeys.every((k) => deepEqual((a as JsonObject)[k], (b as JsonObject)[k]));
}

/** True when a re-create with `incoming` may idempotently succeed against `stored`. */
export function sameDefinition(stored: WorkerTypeDefinition, incoming: WorkerTypeDefinition): boolean {
  return COMPARED_KEYS.every((key) => deepEqual(stored[key], incoming[key]));
}

/**
 * Every scope this worker type hands its workers: its own, its regions' and its instance types'.
 * Whoever creates or updates it must hold all of them (no privilege escalation).
 */
export function grantedScopes(
  definition: Pick<WorkerTypeDefinition, 'scopes' | 'regions' | 'instanceTypes'>,
) {
  const all = [
    ...definition.scopes,
    ...definition.regions.flatMap((r) => r.scopes),
    ...definition.instanceTypes.flatMap((t) => t.scopes),
  ];
  return [...new Set(all)].sort();
}

/**
 * The scopes of the temporary credentials `getSecret` gives a worker of this type: the worker type's
 * scopes merged with those of its instance's region and instance type when the secret is a launch's
 * (an instance in one region gets nothing meant for another), or with every region's and type's when
 * given no placement. Without a definition, only the two base scopes: what a secret made by
 * `createSecret` yields (spec §B.9), so that scope never grants the worker type's.
 */
export function workerCredentialScopes(
  provisionerId: string,
  workerType: string,
  definition: Pick<WorkerTypeDefinition, 'scopes' | 'regions' | 'instanceTypes'> | undefined,
  placement?: { region: string; instanceType: string },
): string[] {
  const base = [`assume:worker-type:${provisionerId}/${workerType}`, 'assume:worker-id:*'];
  if (!definition) return base;
  const granted = placement
    ? [
        ...definition.scopes,
        ...definition.regions.filter((r) => r.region === placement.region).flatMap((r) => r.scopes),
        ...definition.instanceTypes
          .filter((t) => t.instanceType === placement.instanceType)
          .flatMap((t) => t.scopes),
      ]
    : grantedScopes(definition);
  return [...new Set([...base, ...granted])];
}

/** Capacity units of one instance of `instanceType`; 1 when the type is no longer listed (spec §B.1). */
export function capacityOf(
  definition: Pick<WorkerTypeDefinition, 'instanceTypes'>,
  instanceType: string,
): number {
  return definition.instanceTypes.find((t) => t.instanceType === instanceType)?.capacity ?? 1;
}

/** An instance type entry with nothing overridden (1 capacity unit, utility 1 unless given). */
export function instanceTypeConfig(
  instanceType: string,
  overrides: Partial<InstanceTypeConfig> = {},
): InstanceTypeConfig {
  return {
    instanceType,
    capacity: 1,
    utility: 1,
    launchSpec: {},
    secrets: {},
    userData: {},
    scopes: [],
    ...overrides,
  };
}

/** A region entry that launches `imageId` and overrides nothing else. */
export function regionConfig(
  region: string,
  imageId: string,
  overrides: Partial<RegionConfig> = {},
): RegionConfig {
  return { region, launchSpec: { ImageId: imageId }, secrets: {}, userData: {}, scopes: [], ...overrides };
}

/** Splits a stored worker type into its name, timestamp and the definition proper. */
export function definitionOf(workerType: WorkerType): WorkerTypeDefinition {
  const { workerType: _name, lastModified: _lastModified, ...definition } = workerType;
  return definition;
}
