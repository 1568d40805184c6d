/**
 * The narrow EC2 interface the service needs, in domain terms (no SDK types). The gateway implements it
 * over `@aws-sdk/client-ec2` and classifies every EC2 error into an `Ec2Error` kind, once.
 */

export type Ec2ErrorKind =
  | 'throttled'
  | 'insufficient-capacity'
  | 'price-too-low'
  | 'quota-exceeded'
  | 'not-found'
  | 'invalid-request'
  | 'unavailable'
  | 'unknown';

export class Ec2Error extends Error {
  constructor(
    readonly kind: Ec2ErrorKind,
    /** EC2's own error code, e.g. `InsufficientInstanceCapacity`. */
    readonly awsCode: string,
    readonly region: string,
    readonly action: string,
    message: string,
  ) {
    super(`${action} in ${region}: ${awsCode}: ${message}`);
    this.name = 'Ec2Error';
  }
}

export type InstanceState = 'pending' | 'running' | 'shutting-down' | 'terminated' | 'stopping' | 'stopped';
export type Market = 'spot' | 'on-demand';

export interface Ec2Instance {
  readonly instanceId: string;
  readonly region: string;
  readonly zone: string;
  readonly instanceType: string;
  readonly imageId: string;
  readonly state: InstanceState;
  /** Epoch ms. */
  readonly launchTime: number;
  readonly market: Market;
  readonly spotRequestId?: string;
  readonly clientToken?: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly stateReason?: { readonly code: string; readonly message: string };
  /** Epoch ms of the last state change, when EC2 says (its StateTransitionReason carries the time). */
  readonly stateTransitionAt?: number;
}

export type SpotRequestState = 'open' | 'active' | 'closed' | 'cancelled' | 'failed';

export interface Ec2SpotRequest {
  spotRequestId: string;
  region: string;
  zone?: string;
  instanceType: string;
  state: SpotRequestState;
  /** EC2's status code, e.g. `pending-evaluation`, `capacity-not-available`. */
  statusCode: string;
  /** Epoch ms. */
  createTime: number;
  instanceId?: string;
  maxPrice: number;
  tags: Record<string, string>;
}

export interface SpotPrice {
  region: string;
  zone: string;
  instanceType: string;
  /** USD per hour. */
  price: number;
  /** Epoch ms. */
  timestamp: number;
}

export interface AvailabilityZone {
  zoneName: string;
  zoneId: string;
}

/** An assembled launch specification (spec §C.4) in the RequestSpotInstances vocabulary. */
export type LaunchSpecification = Record<string, unknown> & {
  ImageId: string;
  InstanceType: string;
  KeyName: string;
  UserData: string;
};

export interface LaunchRequest {
  region: string;
  /** Recorded before the call: retrying with the same token never launches twice. */
  clientToken: string;
  launchSpec: LaunchSpecification;
  market: Market;
  /** USD per hour; spot only. */
  maxPrice?: number;
  tags: Record<string, string>;
}

export interface LaunchResult {
  instanceId: string;
  zone: string;
  state: InstanceState;
  spotRequestId?: string;
}

export interface TagFilter {
  /** Every tag must match exactly. */
  tags: Record<string, string>;
  states?: readonly string[];
}

/** Per call: `signal` stops the call (and its retries) at once, e.g. when an iteration runs out of time. */
export interface CallOptions {
  signal?: AbortSignal;
}

export interface Ec2Port {
  describeAvailabilityZones(region: string, options?: CallOptions): Promise<AvailabilityZone[]>;
  /** Every price point since `since` (epoch ms), all pages. */
  describeSpotPrices(
    region: string,
    since: number,
    instanceTypes?: readonly string[],
    options?: CallOptions,
  ): Promise<SpotPrice[]>;
  /** The subset of `imageIds` that exist in `region`. */
  existingImages(region: string, imageIds: readonly string[]): Promise<Set<string>>;
  /** The subset of security group `names` that exist in `region`. */
  existingSecurityGroups(region: string, names: readonly string[]): Promise<Set<string>>;
  /** Imports `publicKey` as `name`, or creates a key pair and discards its private half, if missing. */
  ensureKeyPair(region: string, name: string, publicKey: string | undefined): Promise<void>;
  /** Deletes the key pair; succeeds when it does not exist. */
  deleteKeyPair(region: string, name: string): Promise<void>;
  /** Names of the key pairs matching any of `patterns` (EC2 filter values: `*` and `?` are wildcards). */
  keyPairNames(region: string, patterns: readonly string[]): Promise<string[]>;
  describeInstances(region: string, filter: TagFilter, options?: CallOptions): Promise<Ec2Instance[]>;
  describeSpotRequests(region: string, filter: TagFilter, options?: CallOptions): Promise<Ec2SpotRequest[]>;
  /**
   * When `signal` aborts, the call stops and its outcome is unknown: the caller's record of the launch, under
   * its client token, settles it later (a retry with the same token never launches twice).
   */
  runInstance(request: LaunchRequest, options?: CallOptions): Promise<LaunchResult>;
  terminateInstances(region: string, instanceIds: readonly string[], options?: CallOptions): Promise<void>;
  cancelSpotRequests(region: string, spotRequestIds: readonly string[], options?: CallOptions): Promise<void>;
}
