/**
 * Launch specification assembly (spec §C.4): from a worker type definition and one offer to the launch
 * specification, user data and single-use token of one instance. Pure: the caller supplies `now` and the
 * security tokens.
 */
import { InvalidInputError } from '../errors.js';
import {
  configuredZones,
  isJsonObject,
  isZoneAllowed,
  launchSpecProblems,
  mergeLevels,
  selectEntries,
} from './launch-spec-rules.js';
import { encodeUserData, type UserData } from './user-data.js';
import type { JsonObject, WorkerTypeDefinition } from './worker-type.js';

/** Where and at what price one instance is launched. */
export interface LaunchOffer {
  region: string;
  zone: string;
  instanceType: string;
  /** The maximum price submitted to EC2 (USD/hour), or null for on-demand, which submits none. */
  spotBid: number | null;
  /** The true price per utility: the market price ÷ the instance type's utility. */
  price: number;
}

/** What every launch of this deployment shares. */
export interface LaunchContext {
  keyName: string;
  provisionerId: string;
  /** `<public URL>/v1`, where the worker redeems its token. */
  provisionerBaseUrl: string;
  taskclusterRootUrl: string;
  /** Epoch ms; becomes `launchSpecGenerated`. */
  now: number;
}

export interface LaunchSpecInput extends LaunchContext {
  definition: WorkerTypeDefinition;
  workerType: string;
  /** The definition's `lastModified`, ISO-8601. */
  lastModified: string;
  offer: LaunchOffer;
  /** Single-use token the worker exchanges for credentials (`getSecret`). */
  securityToken: string;
}

/** Structurally the EC2 port's `LaunchSpecification`, without importing the adapter layer. */
export type AssembledLaunchSpec = JsonObject & {
  ImageId: string;
  InstanceType: string;
  KeyName: string;
  Placement: JsonObject & { AvailabilityZone: string };
  UserData: string;
};

export interface LaunchInfo {
  launchSpec: AssembledLaunchSpec;
  secrets: JsonObject;
  /** Always empty: worker scopes come from `getSecret`'s credentials (spec Part 1). */
  scopes: string[];
  userData: UserData;
  securityToken: string;
  workerType: string;
}

export interface PreviewContext extends LaunchContext {
  /** Mints one token per preview entry; previews are not stored, so their tokens cannot be redeemed. */
  newSecurityToken: () => string;
}

/** `getLaunchSpecs` (§B.12): `{ <region>: { <instanceType>: LaunchInfo } }`. */
export type LaunchSpecPreview = Record<string, Record<string, LaunchInfo>>;

/**
 * The launch specification of one instance. Throws `InvalidInputError` listing every problem of the
 * definition's parts this offer uses (the top level, its region, zone and instance type) and of the offer.
 */
export function buildLaunchSpec(input: LaunchSpecInput): LaunchInfo {
  const { definition, offer } = input;
  const problems = [
    ...launchSpecProblems(definition, {
      region: offer.region,
      zone: offer.zone,
      instanceType: offer.instanceType,
    }),
    ...offerProblems(definition, offer),
    ...contextProblems(input),
  ];
  if (problems.length > 0) throw invalidLaunchSpec(problems);
  return assemble(input);
}

/**
 * One launch specification per region × instance type, with the original's fake bid (`spotBid` and
 * `price` 1). The original generated every configured zone and silently kept the last; here each region
 * uses its **first** configured zone (definition order), or `<region>a` when it has none, and that zone is
 * visible in `userData.availabilityZone` and `launchSpec.Placement.AvailabilityZone`. The whole
 * definition is checked first, so every zone's problems are still reported.
 */
export function launchSpecPreview(
  definition: WorkerTypeDefinition,
  workerType: string,
  lastModified: string,
  context: PreviewContext,
): LaunchSpecPreview {
  const problems = [...launchSpecProblems(definition), ...contextProblems(context)];
  if (problems.length > 0) throw invalidLaunchSpec(problems);
  const preview: LaunchSpecPreview = {};
  for (const { region } of definition.regions) {
    const zone = configuredZones(definition, region)[0] ?? `${region}a`;
    const byType: Record<string, LaunchInfo> = {};
    for (const { instanceType } of definition.instanceTypes) {
      byType[instanceType] = assemble({
        ...context,
        definition,
        workerType,
        lastModified,
        offer: { region, zone, instanceType, spotBid: 1, price: 1 },
        securityToken: context.newSecurityToken(),
      });
    }
    preview[region] = byType;
  }
  return preview;
}

function offerProblems(definition: WorkerTypeDefinition, offer: LaunchOffer): string[] {
  const { region, zone, instanceType } = offer;
  const problems: string[] = [];
  if (!definition.regions.some((r) => r.region === region)) {
    problems.push(`offer: region ${region} is not one of the worker type's regions`);
  }
  if (!definition.instanceTypes.some((t) => t.instanceType === instanceType)) {
    problems.push(`offer: instance type ${instanceType} is not one of the worker type's instanceTypes`);
  }
  if (!zone.startsWith(region)) {
    problems.push(`offer: zone ${zone} is not in region ${region}`);
  } else if (!isZoneAllowed(definition, region, zone)) {
    problems.push(`offer: zone ${zone} is not among the availabilityZones configured for region ${region}`);
  }
  return problems;
}

function contextProblems(context: Pick<LaunchContext, 'keyName'>): string[] {
  return context.keyName === '' ? ['keyName is required'] : [];
}

function assemble(input: LaunchSpecInput): LaunchInfo {
  const { definition, offer } = input;
  const entries = selectEntries(definition, offer.region, offer.zone, offer.instanceType);
  const levels = (key: 'launchSpec' | 'userData' | 'secrets') =>
    mergeLevels([definition[key], entries.region?.[key], entries.zone?.[key], entries.instanceType?.[key]]);
  const merged = levels('launchSpec');
  // Validation guarantees both; checked again so a skipped validation fails loudly, not with a bad launch.
  if (entries.instanceType === undefined || typeof merged.ImageId !== 'string') {
    throw invalidLaunchSpec([`no instance type or ImageId for ${offer.region}/${offer.instanceType}`]);
  }
  const userData: UserData = {
    availabilityZone: offer.zone,
    capacity: entries.instanceType.capacity,
    data: levels('userData'),
    instanceType: offer.instanceType,
    lastModified: input.lastModified,
    launchSpecGenerated: new Date(input.now).toISOString(),
    price: offer.price,
    provisionerBaseUrl: input.provisionerBaseUrl,
    provisionerId: input.provisionerId,
    region: offer.region,
    securityToken: input.securityToken,
    spotBid: offer.spotBid,
    taskclusterRootUrl: input.taskclusterRootUrl,
    workerType: input.workerType,
  };
  const placement = isJsonObject(merged.Placement) ? merged.Placement : {};
  const launchSpec: AssembledLaunchSpec = {
    ...merged,
    ImageId: merged.ImageId,
    KeyName: input.keyName,
    InstanceType: offer.instanceType,
    Placement: { ...placement, AvailabilityZone: offer.zone },
    UserData: encodeUserData(userData),
  };
  return {
    launchSpec,
    secrets: levels('secrets'),
    scopes: [],
    userData,
    securityToken: input.securityToken,
    workerType: input.workerType,
  };
}

function invalidLaunchSpec(problems: readonly string[]): InvalidInputError {
  const list = problems.map((p) => `\n  - ${p}`).join('');
  return new InvalidInputError(`The worker type's launch specification is invalid:${list}`, problems);
}
