/**
 * Scale-down, which the original never managed (spec Part 1 "Provisioning", §D.8, §G.2): what to cancel or
 * terminate when a worker type has more capacity than §D.3 wants. Only what has not started work yet is
 * touched: open spot requests first, then instances not yet running, newest first (the newest is furthest
 * from being useful). Running instances are never touched; idle ones are left to exit by themselves; nor
 * are instances whose worker checked in, or that were described too long before demand was read.
 * Not-yet-running instances this service already asked EC2 to terminate, which EC2 still describes live (it
 * lags, or the call failed), go before anything else and even when larger than the surplus: terminating them
 * again costs nothing, while picking another would remove capacity twice.
 * Pure: the caller supplies the resources as plain data and acts on the plan.
 */
import type { ResourceKind, ResourceState } from './capacity-planner.js';

export interface ScaleDownResource {
  /** Spot request id or instance id (or whatever the caller uses to act on it). */
  id: string;
  kind: ResourceKind;
  state: ResourceState;
  /** Capacity units (see `capacityOf`); may be fractional. */
  capacity: number;
  /** Epoch ms when it was requested or launched. */
  launchedAt: number;
  /** Known to be running tasks. A running instance whose busy-ness is unknown counts as busy. */
  busy?: boolean;
  /**
   * Its worker checked in, as read after demand: it may have claimed tasks whatever state EC2 described
   * (a worker checks in before it claims any).
   */
  checkedIn?: boolean;
  /** This service already asked EC2 to terminate it (asking again is harmless). Running ones stay protected. */
  terminating?: boolean;
}

export interface ScaleDownInput {
  resources: readonly ScaleDownResource[];
  /** The capacity change of §D.3; only a negative change removes anything. */
  change: number;
  minCapacity: number;
  /**
   * How long before demand was read EC2 described the instances (ms). Past `MAX_OBSERVATION_LAG_MS`, an
   * instance described pending may be running and have claimed the tasks demand no longer shows.
   */
  observationLagMs?: number;
}

/**
 * A worker claims tasks only once its instance runs and its OS has booted, tens of seconds after EC2 said
 * pending. Within this lag, an instance described pending cannot have claimed a task before demand was read.
 */
export const MAX_OBSERVATION_LAG_MS = 30_000;

export type RemovalReason = 'surplus-spot-request' | 'surplus-pending-instance' | 'already-terminating';

export type KeepReason =
  /** A running instance known to be idle: it exits by itself, terminating it could race a claim. */
  | 'running-idle'
  /** Running tasks, or running with unknown busy-ness. */
  | 'busy'
  /** Not running when described, but its worker has checked in since. */
  | 'checked-in'
  /** Described pending too long before demand was read: it may have started and claimed tasks since. */
  | 'may-have-started'
  /** Removing it would leave less than `minCapacity`. */
  | 'min-capacity'
  /** Its capacity is more than the surplus still to remove. */
  | 'exceeds-surplus'
  /** The surplus is already removed (or there is none). */
  | 'no-surplus-left';

export interface ScaleDownRemoval {
  id: string;
  kind: ResourceKind;
  action: 'cancel' | 'terminate';
  capacity: number;
  reason: RemovalReason;
}

export interface ScaleDownKeep {
  id: string;
  kind: ResourceKind;
  capacity: number;
  reason: KeepReason;
}

export interface ScaleDownPlan {
  /** Capacity units the change asked to remove (0 for a change ≥ 0). */
  surplus: number;
  /** In the order to act on them. */
  remove: ScaleDownRemoval[];
  /** Every other resource, in input order, with why it stays. */
  keep: ScaleDownKeep[];
  removedCapacity: number;
  /** Surplus left after the plan: what only idle workers exiting can remove. */
  remainingSurplus: number;
}

/** Fractional capacities add up with rounding errors (0.1 + 0.2 > 0.3); compare with this slack. */
const EPSILON = 1e-9;

export function planScaleDown(input: ScaleDownInput): ScaleDownPlan {
  const surplus = Math.max(0, -input.change);
  const total = input.resources.reduce((sum, r) => sum + r.capacity, 0);
  const reasons = new Map<ScaleDownResource, KeepReason | RemovalReason>();
  const remove: ScaleDownRemoval[] = [];
  let removed = 0;
  const lagged = (input.observationLagMs ?? 0) > MAX_OBSERVATION_LAG_MS;
  for (const resource of input.resources) {
    const reason = protectionOf(resource, lagged);
    if (reason !== undefined) reasons.set(resource, reason);
  }
  const candidates = input.resources.filter((r) => !reasons.has(r)).sort(removalOrder);
  for (const resource of candidates) {
    const progress = { surplus, removed, remaining: total - removed };
    const keep = keepReason(resource, progress, input);
    if (keep !== undefined) {
      reasons.set(resource, keep);
      continue;
    }
    const reason = removalReason(resource);
    const action = resource.kind === 'spot-request' ? 'cancel' : 'terminate';
    remove.push({ id: resource.id, kind: resource.kind, action, capacity: resource.capacity, reason });
    reasons.set(resource, reason);
    removed += resource.capacity;
  }
  const keep = input.resources.flatMap((r): ScaleDownKeep[] => {
    const reason = reasons.get(r);
    return isKeepReason(reason) ? [{ id: r.id, kind: r.kind, capacity: r.capacity, reason }] : [];
  });
  return {
    surplus,
    remove,
    keep,
    removedCapacity: removed,
    remainingSurplus: Math.max(0, surplus - removed),
  };
}

function removalReason(resource: ScaleDownResource): RemovalReason {
  if (resource.terminating === true) return 'already-terminating';
  return resource.kind === 'spot-request' ? 'surplus-spot-request' : 'surplus-pending-instance';
}

/** Why a resource may never be removed, or undefined when it may. */
function protectionOf(resource: ScaleDownResource, lagged: boolean): KeepReason | undefined {
  if (resource.state === 'running') return resource.busy === false ? 'running-idle' : 'busy';
  if (resource.busy === true) return 'busy';
  if (resource.checkedIn === true) return 'checked-in';
  // Already asked to terminate: asking again changes nothing, however old the observation.
  if (lagged && resource.state === 'pending' && resource.terminating !== true) return 'may-have-started';
  return undefined;
}

function keepReason(
  { capacity, terminating }: ScaleDownResource,
  progress: { surplus: number; removed: number; remaining: number },
  input: ScaleDownInput,
): KeepReason | undefined {
  if (progress.surplus - progress.removed <= EPSILON) return 'no-surplus-left';
  // Already on its way out while EC2 lags: kept, it would still go, and something else would go too.
  const exceeds = progress.removed + capacity > progress.surplus + EPSILON;
  if (exceeds && terminating !== true) return 'exceeds-surplus';
  if (progress.remaining - capacity < input.minCapacity - EPSILON) return 'min-capacity';
  return undefined;
}

/**
 * Already-terminating instances first, then spot requests, then instances; within each, newest first;
 * ties by id so plans are deterministic.
 */
function removalOrder(a: ScaleDownResource, b: ScaleDownResource): number {
  const terminating = Number(b.terminating === true) - Number(a.terminating === true);
  if (terminating !== 0) return terminating;
  if (a.kind !== b.kind) return a.kind === 'spot-request' ? -1 : 1;
  if (a.launchedAt !== b.launchedAt) return b.launchedAt - a.launchedAt;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function isKeepReason(reason: KeepReason | RemovalReason | undefined): reason is KeepReason {
  return (
    reason !== undefined &&
    reason !== 'surplus-spot-request' &&
    reason !== 'surplus-pending-instance' &&
    reason !== 'already-terminating'
  );
}
