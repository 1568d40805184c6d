/** The simulated world's resources, as it stores them (mutable; the API layer renders them). */

export type SimInstanceState = 'pending' | 'running' | 'shutting-down' | 'terminated';

/** EC2's numeric instance state codes. */
export const INSTANCE_STATE_CODES: Record<SimInstanceState, number> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
};

export type Tags = Map<string, string>;

export interface StateReason {
  code: string;
  message: string;
}

export const STATE_REASONS = {
  userInitiated: {
    code: 'Client.UserInitiatedShutdown',
    message: 'Client.UserInitiatedShutdown: User initiated shutdown',
  },
  instanceInitiated: {
    code: 'Client.InstanceInitiatedShutdown',
    message: 'Client.InstanceInitiatedShutdown: Instance initiated shutdown',
  },
  spotTermination: {
    code: 'Server.SpotInstanceTermination',
    message: 'Server.SpotInstanceTermination: Spot instance termination',
  },
} as const satisfies Record<string, StateReason>;

/** Why an instance ends; decides the spot request status and the state transition text. */
export type TerminationCause = 'user' | 'instance' | 'spot-price' | 'spot-capacity';

export interface SecurityGroupRef {
  groupId: string;
  groupName: string;
}

/** What a launch asks for, resolved and validated. */
export interface LaunchSpec {
  imageId: string;
  instanceType: string;
  keyName?: string;
  securityGroups: SecurityGroupRef[];
  /** Zone name, when the caller chose one. */
  zone?: string;
  /** Base64, as sent. */
  userData?: string;
  subnetId?: string;
}

export interface SimInstance {
  /** Creation order in its region: the order Describe* pages through. */
  seq: number;
  instanceId: string;
  reservationId: string;
  region: string;
  zone: string;
  zoneId: string;
  instanceType: string;
  imageId: string;
  keyName?: string;
  securityGroups: SecurityGroupRef[];
  subnetId: string;
  vpcId: string;
  privateIp: string;
  state: SimInstanceState;
  stateReason?: StateReason;
  stateTransitionReason: string;
  launchTime: number;
  /** Describe* shows it from this time on (eventual consistency). */
  visibleAt: number;
  market: 'spot' | 'on-demand';
  spotRequestId?: string;
  /** USD per hour; spot only. */
  maxPrice?: number;
  clientToken?: string;
  amiLaunchIndex: number;
  /** Replaced on change, never mutated in place (rendered XML is cached by identity). */
  tags: Tags;
  userData?: string;
  /** Cancels pending lifecycle timers (boot, interruption). */
  cancelTimers: Array<() => void>;
}

export type SpotRequestState = 'open' | 'active' | 'closed' | 'cancelled' | 'failed';

export interface SimSpotRequest {
  seq: number;
  spotRequestId: string;
  region: string;
  state: SpotRequestState;
  statusCode: string;
  statusMessage: string;
  statusUpdateTime: number;
  createTime: number;
  visibleAt: number;
  type: 'one-time' | 'persistent';
  maxPrice: number;
  spec: LaunchSpec;
  validUntil: number;
  instanceId?: string;
  launchedZone?: string;
  clientToken?: string;
  tags: Tags;
  /** When a closed or cancelled request vanishes. */
  cancelTimers: Array<() => void>;
}

export interface SimImage {
  seq: number;
  imageId: string;
  name: string;
  description?: string;
  architecture: string;
  creationDate: number;
  ownerId: string;
  tags: Tags;
}

export interface SimSecurityGroup {
  seq: number;
  groupId: string;
  groupName: string;
  description: string;
  vpcId: string;
  ownerId: string;
  tags: Tags;
}

export interface SimKeyPair {
  seq: number;
  keyPairId: string;
  keyName: string;
  keyType: 'rsa' | 'ed25519';
  fingerprint: string;
  publicKey: string;
  createTime: number;
  tags: Tags;
}
