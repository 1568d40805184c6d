/**
 * Housekeeping decisions of one iteration (spec Part 1 "Provisioning" and "Worker types", §D.8, §G.3):
 * which instances to terminate and which spot requests to cancel, and when a `removeWorkerType` cleanup
 * is finished. Pure.
 *
 * One action per resource, with the first reason that applies, most specific first:
 * 1. `worker-type-removed` — a removal is pending (and, if the worker type was re-created since, the resource
 *    predates the removal): the user asked for it, so that is what the record should say;
 * 2. `rogue` — the worker type is not defined and no removal is pending;
 * 3. `zombie` — a live (pending or running) instance launched longer than `maxInstanceLifeMs` ago;
 * 4. `stuck` — an open spot request older than `stuckRequestAfterMs`, or with a stalled status code (§D.8).
 *
 * Resources in a region that failed to describe this iteration are left alone (what we do not see we must
 * not guess about), and no removal is declared finished while any region is unavailable, because the
 * removed definition's regions are no longer known. An observation that is merely old does not stop
 * housekeeping (unlike provisioning): being rogue, removed or a zombie does not wear off with time, and
 * terminating or cancelling twice is harmless; at worst a stuck request was fulfilled meanwhile, and
 * cancelling a fulfilled one-time request leaves its instance alone.
 */
import type {
  Cancellation,
  CancellationReason,
  CapacityFigures,
  DecisionRecord,
  GuardRailOutcome,
  InstanceFact,
  LaunchFact,
  RemovalFinished,
  SpotRequestFact,
  Termination,
  TerminationReason,
  WorkerTypeFacts,
  WorkerTypePlan,
  WorkerTypeResources,
} from './plan-types.js';

/** §D.8's stalled status codes, with `constraint-not-fulfillable` spelled so that it matches (§G.2). */
export const STALLED_STATUS_CODES: readonly string[] = [
  'capacity-not-available',
  'capacity-oversubscribed',
  'price-too-low',
  'not-scheduled-yet',
  'launch-group-constraint',
  'az-group-constraint',
  'placement-group-constraint',
  'constraint-not-fulfillable',
];

export const DEFAULT_MAX_INSTANCE_LIFE_MS = 96 * 60 * 60_000;
export const DEFAULT_STUCK_REQUEST_AFTER_MS = 20 * 60_000;

/** Instance states that still exist in a way that costs or could come back; the rest are on their way out. */
const REMAINING_STATES: readonly string[] = ['pending', 'running', 'stopping', 'stopped'];
const LIVE_STATES: readonly string[] = ['pending', 'running'];

export interface HousekeepingContext {
  now: number;
  maxInstanceLifeMs: number;
  stuckRequestAfterMs: number;
  unavailableRegions: ReadonlySet<string>;
}

export interface WorkerTypeHousekeeping {
  terminations: Termination[];
  cancellations: Cancellation[];
  /** What capacity planning may count: not acted on here, and not left over from a removed definition. */
  retained: WorkerTypeResources;
  /** Resources left alone because their region failed to describe. */
  skippedInUnavailableRegions: number;
  /** A removal is pending and cannot finish while a region is unavailable. */
  removalWaitsForRegions: boolean;
  removalFinished: RemovalFinished | null;
}

type Facts = Pick<WorkerTypeFacts, 'workerType' | 'definition' | 'removal'> & WorkerTypeResources;

export function planHousekeeping(facts: Facts, context: HousekeepingContext): WorkerTypeHousekeeping {
  const removed = removedBefore(facts);
  const visible = (region: string) => !context.unavailableRegions.has(region);
  const terminations: Termination[] = [];
  const cancellations: Cancellation[] = [];
  let skipped = 0;
  for (const instance of facts.instances) {
    const reason = terminationReason(instance, facts, removed, context);
    if (reason === null) continue;
    if (visible(instance.region))
      terminations.push({ region: instance.region, instanceId: instance.instanceId, reason });
    else skipped += 1;
  }
  for (const request of facts.spotRequests) {
    const reason = cancellationReason(request, facts, removed, context);
    if (reason === null) continue;
    if (visible(request.region)) {
      cancellations.push({ region: request.region, spotRequestId: request.spotRequestId, reason });
    } else skipped += 1;
  }
  const acted = new Set<string>([
    ...terminations.map((t) => t.instanceId),
    ...cancellations.map((c) => c.spotRequestId),
  ]);
  return {
    terminations,
    cancellations,
    retained: {
      instances: facts.instances.filter((i) => !acted.has(i.instanceId) && !removed.instance(i)),
      // A fulfilled request goes with its instance: left behind, it would count as capacity still coming.
      spotRequests: facts.spotRequests.filter(
        (r) =>
          !acted.has(r.spotRequestId) &&
          !(r.instanceId !== undefined && acted.has(r.instanceId)) &&
          !removed.spotRequest(r),
      ),
      launches: facts.launches.filter((launch) => !removed.at(launch.createdAt)),
    },
    skippedInUnavailableRegions: skipped,
    removalWaitsForRegions: facts.removal !== undefined && context.unavailableRegions.size > 0,
    removalFinished: removalFinished(facts, removed, context),
  };
}

/** Whether a resource belongs to a pending removal: by when it was created, or (an instance) by its id. */
interface Removed {
  at(createdAt: number): boolean;
  instance(instance: InstanceFact): boolean;
  spotRequest(request: SpotRequestFact): boolean;
}

/**
 * Everything when the worker type was not re-created, else only what predates the removal request, and
 * the instances of launches recorded before it (sent after it, so EC2's launch time is later).
 */
function removedBefore(facts: Facts): Removed {
  const { removal, definition } = facts;
  if (removal === undefined) return { at: () => false, instance: () => false, spotRequest: () => false };
  if (definition === undefined) return { at: () => true, instance: () => true, spotRequest: () => true };
  const launchedBefore = new Set(removal.launchedBefore ?? []);
  const at = (createdAt: number) => createdAt < removal.requestedAt;
  // EC2's times are whole seconds: one in the removal's own second may have come after it (the old
  // definition's launches in that second are known by their records, `launchedBefore`).
  const beforeInEc2 = (wholeSecond: number) => at(wholeSecond + 999);
  return {
    at,
    instance: (i) => beforeInEc2(i.launchTime) || launchedBefore.has(i.instanceId),
    spotRequest: (r) => beforeInEc2(r.createTime),
  };
}

function terminationReason(
  instance: InstanceFact,
  facts: Facts,
  removed: Removed,
  context: HousekeepingContext,
): TerminationReason | null {
  if (!REMAINING_STATES.includes(instance.state)) return null;
  if (removed.instance(instance)) return 'worker-type-removed';
  if (facts.definition === undefined) return 'rogue';
  const live = LIVE_STATES.includes(instance.state);
  if (live && context.now - instance.launchTime > context.maxInstanceLifeMs) return 'zombie';
  return null;
}

function cancellationReason(
  request: SpotRequestFact,
  facts: Facts,
  removed: Removed,
  context: HousekeepingContext,
): CancellationReason | null {
  if (removed.spotRequest(request)) return 'worker-type-removed';
  if (facts.definition === undefined) return 'rogue';
  if (request.state === 'open' && isStuck(request, context)) return 'stuck';
  return null;
}

export function isStuck(
  request: Pick<SpotRequestFact, 'createTime' | 'statusCode'>,
  context: HousekeepingContext,
) {
  return (
    context.now - request.createTime > context.stuckRequestAfterMs ||
    STALLED_STATUS_CODES.includes(request.statusCode)
  );
}

/** Finished when nothing of the removed definition is left anywhere, and every region could be seen. */
function removalFinished(
  facts: Facts,
  removed: Removed,
  context: HousekeepingContext,
): RemovalFinished | null {
  const { removal } = facts;
  if (removal === undefined || context.unavailableRegions.size > 0) return null;
  const instanceLeft = (i: InstanceFact) => REMAINING_STATES.includes(i.state) && removed.instance(i);
  const requestLeft = (r: SpotRequestFact) => removed.spotRequest(r);
  const launchLeft = (launch: LaunchFact) => removed.at(launch.createdAt);
  if (
    facts.instances.some(instanceLeft) ||
    facts.spotRequests.some(requestLeft) ||
    facts.launches.some(launchLeft)
  ) {
    return null;
  }
  return {
    workerType: facts.workerType,
    requestedAt: removal.requestedAt,
    deleteKeyPairs: facts.definition === undefined,
  };
}

/**
 * The plan of a worker type with nothing to provision (not defined, or before provisioning is added):
 * housekeeping's actions, its figures, and why housekeeping had to leave something alone.
 */
export function housekeepingOnlyPlan(
  facts: Pick<WorkerTypeFacts, 'workerType' | 'definition' | 'removal' | keyof WorkerTypeResources>,
  housekeeping: WorkerTypeHousekeeping,
  capacity: CapacityFigures,
  hourlySpend: number,
): WorkerTypePlan {
  const guardRails: GuardRailOutcome[] = [];
  if (housekeeping.skippedInUnavailableRegions > 0) {
    const message = `${housekeeping.skippedInUnavailableRegions} resource(s) left alone in unavailable regions`;
    guardRails.push({ rail: 'stale-state', effects: ['blocks-housekeeping'], message });
  }
  if (housekeeping.removalWaitsForRegions) {
    const message = 'removal cannot finish while a region is unavailable';
    guardRails.push({ rail: 'stale-state', effects: ['blocks-housekeeping'], message });
  }
  return {
    workerType: facts.workerType,
    defined: facts.definition !== undefined,
    pendingTasks: null,
    capacity,
    change: null,
    hourlySpend: { now: hourlySpend, planned: 0 },
    launches: [],
    terminations: [...housekeeping.terminations],
    cancellations: [...housekeeping.cancellations],
    breaker: null,
    blocked: guardRails,
    record: housekeepingRecord(facts, housekeeping, capacity, guardRails),
  };
}

/** The decision record of housekeeping alone; the worker type planner fills in the rest. */
function housekeepingRecord(
  facts: WorkerTypeResources,
  housekeeping: WorkerTypeHousekeeping,
  capacity: CapacityFigures,
  guardRails: readonly GuardRailOutcome[],
): DecisionRecord {
  const { terminations, cancellations } = housekeeping;
  return {
    inputs: {
      pendingTasks: null,
      demandError: null,
      instances: facts.instances.length,
      spotRequests: facts.spotRequests.length,
      inFlightLaunches: facts.launches.length,
      minCapacity: null,
      maxCapacity: null,
      scalingRatio: null,
      maxHourlySpend: null,
      remainingHourlyBudget: null,
    },
    capacity,
    change: null,
    offers: null,
    scaleDown: null,
    guardRails: [...guardRails],
    housekeeping: [
      ...terminations.map((t) => ({ id: t.instanceId, action: 'terminate' as const, reason: t.reason })),
      ...cancellations.map((c) => ({ id: c.spotRequestId, action: 'cancel' as const, reason: c.reason })),
    ],
  };
}
