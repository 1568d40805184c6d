/**
 * The vocabulary of one provisioning iteration's plan (spec Part 1 "Provisioning", §D.2–D.3, §D.8, §G.2–G.3):
 * what the impure loop observed (plain, JSON-able facts) and what the pure planner decides from it.
 */
import type { Ec2ErrorKind, InstanceState } from '../ec2/ec2-port.js';
import type { BreakerSettings, BreakerState } from './circuit-breaker.js';
import type {
  CandidateRecord,
  CapacityFailure,
  Market,
  OfferLimits,
  PlannedLaunch,
  PriceObservation,
  UnmetCapacity,
} from './offers.js';
import type { KeepReason } from './scale-down.js';
import type { WorkerType } from './worker-type.js';

export type Strategy = 'default' | 'classic';

/** One instance as last observed, tagged with this provisioner and the worker type. */
export interface InstanceFact {
  instanceId: string;
  region: string;
  zone: string;
  instanceType: string;
  market: Market;
  state: InstanceState;
  /** Epoch ms. */
  launchTime: number;
  /** What it costs now, USD per hour. */
  hourlyPrice: number;
  /** The worker called `instanceStarted` or redeemed its secret. */
  checkedIn: boolean;
  stateReason?: { code: string; message: string };
  /** Epoch ms of its last state change when known (EC2's state transition time). */
  stateTransitionAt?: number;
  /** This provisioner asked EC2 to terminate it. */
  terminatedByUs?: boolean;
  /** From the stored observation of a region that failed to describe this iteration, not from EC2 now. */
  lastSeen?: boolean;
}

export type SpotRequestFactState = 'open' | 'active';

export interface SpotRequestFact {
  spotRequestId: string;
  region: string;
  zone?: string;
  instanceType: string;
  state: SpotRequestFactState;
  statusCode: string;
  /** Epoch ms. */
  createTime: number;
  /** The instance of a fulfilled request; an active request counts as pending until it is seen. */
  instanceId?: string;
}

/** A launch recorded before its EC2 call whose instance is not visible yet; it cannot be cancelled. */
export interface LaunchFact {
  clientToken: string;
  region: string;
  zone: string;
  instanceType: string;
  market: Market;
  capacity: number;
  hourlyPrice: number;
  /** Epoch ms. */
  createdAt: number;
}

export interface LaunchOutcome {
  /** Epoch ms. */
  at: number;
  ok: boolean;
  errorKind?: Ec2ErrorKind;
}

export interface WorkerTypeResources {
  instances: readonly InstanceFact[];
  spotRequests: readonly SpotRequestFact[];
  launches: readonly LaunchFact[];
}

export interface WorkerTypeFacts extends WorkerTypeResources {
  workerType: string;
  /** Undefined: not defined, so its resources are rogue (or being removed). */
  definition?: WorkerType;
  /** Absent for a defined worker type means the queue was not asked: demand unknown. */
  pendingTasks?: number | { error: string };
  /** Epoch ms when `pendingTasks` was read; absent: taken as the planning time. */
  demandReadAt?: number;
  /**
   * A `removeWorkerType` cleanup that is not finished; `launchedBefore`: instances of launches recorded
   * before it, read only when the worker type was re-created since.
   */
  removal?: { requestedAt: number; launchedBefore?: readonly string[] };
  recentLaunches?: readonly LaunchOutcome[];
  breaker?: BreakerState;
}

export interface IterationInput {
  /** Epoch ms. */
  now: number;
  provisionerId: string;
  strategy: Strategy;
  /** The classic strategy's draw; required for it, unused by the default one. */
  random?: () => number;
  /** Live instances launched longer ago than this are zombies (default 96 h). */
  maxInstanceLifeMs?: number;
  /** Provisioner-wide cap, USD per hour; absent = none. */
  maxHourlySpend?: number;
  offerLimits?: Partial<OfferLimits>;
  /** Open spot requests older than this are stuck (default 20 min). */
  stuckRequestAfterMs?: number;
  breakerSettings?: Partial<BreakerSettings>;
  /** Epoch ms of the observation the facts come from. */
  observedAt: number;
  maxObservationAgeMs: number;
  /** Regions whose describe calls failed this iteration: their facts are as last seen, if at all. */
  unavailableRegions: readonly { region: string; error: string }[];
  prices: readonly PriceObservation[];
  capacityFailures: readonly CapacityFailure[];
  workerTypes: readonly WorkerTypeFacts[];
}

export type TerminationReason = 'worker-type-removed' | 'rogue' | 'zombie' | 'surplus-pending-instance';
export type CancellationReason = 'worker-type-removed' | 'rogue' | 'stuck' | 'surplus-spot-request';

export interface Termination {
  region: string;
  instanceId: string;
  reason: TerminationReason;
}

export interface Cancellation {
  region: string;
  spotRequestId: string;
  reason: CancellationReason;
}

export type GuardRail = 'stale-state' | 'demand-unknown' | 'circuit-breaker' | 'money-cap' | 'region-quota';
export type GuardRailEffect =
  | 'blocks-scale-up'
  | 'blocks-scale-down'
  | 'limits-scale-up'
  | 'blocks-housekeeping';

export interface GuardRailOutcome {
  rail: GuardRail;
  effects: GuardRailEffect[];
  message: string;
}

/** Capacity units as `listWorkerTypeSummaries` reports them; §D.3's pending = pending + requested. */
export interface CapacityFigures {
  runningCapacity: number;
  /** Instances not yet running, and recorded launches EC2 does not show yet. */
  pendingCapacity: number;
  /** Spot requests not yet seen as instances. */
  requestedCapacity: number;
}

export interface ScaleDownRecord {
  surplus: number;
  removed: { id: string; capacity: number; reason: string }[];
  /** What was kept and why, counted per reason to stay compact (every running instance is one). */
  kept: { reason: KeepReason | 'in-flight-launch'; count: number; capacity: number }[];
  remainingSurplus: number;
}

export interface OfferRecord {
  strategy: Strategy;
  /** The change the offers were asked for (after guard rails). */
  requested: number;
  candidates: CandidateRecord[];
  unmet: UnmetCapacity | null;
}

export interface DecisionRecord {
  inputs: {
    pendingTasks: number | null;
    demandError: string | null;
    instances: number;
    spotRequests: number;
    inFlightLaunches: number;
    minCapacity: number | null;
    maxCapacity: number | null;
    scalingRatio: number | null;
    maxHourlySpend: number | null;
    remainingHourlyBudget: number | null;
  };
  capacity: CapacityFigures;
  change: number | null;
  offers: OfferRecord | null;
  scaleDown: ScaleDownRecord | null;
  guardRails: GuardRailOutcome[];
  housekeeping: { id: string; action: 'terminate' | 'cancel'; reason: string }[];
}

export interface WorkerTypePlan {
  workerType: string;
  defined: boolean;
  pendingTasks: number | null;
  capacity: CapacityFigures;
  /** §D.3's change; null when demand is unknown or the worker type is not defined. */
  change: number | null;
  hourlySpend: { now: number; planned: number };
  launches: PlannedLaunch[];
  terminations: Termination[];
  cancellations: Cancellation[];
  breaker: BreakerState | null;
  /** The guard rails that blocked or limited something this iteration. */
  blocked: GuardRailOutcome[];
  record: DecisionRecord;
}

export interface RemovalFinished {
  workerType: string;
  requestedAt: number;
  /**
   * False when the worker type was re-created since: its key pairs are in use again. What the plan (and
   * its preview) expects; the housekeeper does not read it, it decides from the definition it finds just
   * before deleting them.
   */
  deleteKeyPairs: boolean;
}

export interface IterationPlan {
  now: number;
  strategy: Strategy;
  observation: { ageMs: number; stale: boolean; unavailableRegions: string[] };
  /** The order worker types drew on the provisioner-wide budget and the per-region launch quota. */
  planningOrder: string[];
  workerTypes: WorkerTypePlan[];
  removalsFinished: RemovalFinished[];
  totals: {
    launches: number;
    plannedCapacity: number;
    terminations: number;
    cancellations: number;
    hourlySpendNow: number;
    plannedHourlySpend: number;
    /** What the provisioner-wide cap still allowed after planning; null without a cap. */
    remainingHourlyBudget: number | null;
  };
}
