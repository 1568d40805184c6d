import type { Clock } from '../clock/clock.js';
import {
  type CapacitySummary,
  type SummarisedResource,
  summariseCapacity,
} from '../domain/capacity-planner.js';
import type { BreakerState } from '../domain/circuit-breaker.js';
import type { WorkerType } from '../domain/worker-type.js';
import { NotFoundError } from '../errors.js';
import type { Fleet, FleetView } from '../store/fleet-view.js';
import type { IterationStore } from '../store/iteration-store.js';
import type { WorkerTypeStore } from '../store/worker-type-store.js';

export interface WorkerTypeSummary extends CapacitySummary {
  workerType: string;
  minCapacity: number;
  maxCapacity: number;
}

export interface BackendStatus {
  status: 'pending' | 'healthy' | 'failing' | 'stale';
  lastCheckedIn: string | null;
  lastIterationStarted: string | null;
  lastError: string | null;
}

const EMPTY_FLEET: Fleet = { instances: [], spotRequests: [], launches: [] };

function resourcesOf(fleet: Fleet): SummarisedResource[] {
  return [
    ...fleet.instances.map((i) => ({
      kind: 'instance' as const,
      state: i.state === 'running' ? ('running' as const) : ('pending' as const),
      instanceType: i.instanceType,
    })),
    ...fleet.spotRequests.map((r) => ({
      kind: 'spot-request' as const,
      state: 'requested' as const,
      instanceType: r.instanceType,
    })),
    ...fleet.launches.map((l) => ({
      kind: 'instance' as const,
      state: 'requested' as const,
      instanceType: l.instanceType,
    })),
  ];
}

function summaryOf(
  workerType: Pick<WorkerType, 'workerType' | 'minCapacity' | 'maxCapacity' | 'instanceTypes'>,
  fleet: Fleet,
) {
  return {
    workerType: workerType.workerType,
    minCapacity: workerType.minCapacity,
    maxCapacity: workerType.maxCapacity,
    ...summariseCapacity(workerType, resourcesOf(fleet)),
  };
}

/**
 * The fleet in the original's `state` shapes: instances, open spot requests, and launches EC2 does not show
 * yet (`internalTrackedRequests`).
 */
function fleetState(fleet: Fleet) {
  return {
    instances: fleet.instances.map((i) => ({
      id: i.instanceId,
      srId: i.spotRequestId ?? 'ondemand',
      ami: i.imageId,
      type: i.instanceType,
      region: i.region,
      zone: i.zone,
      state: i.state,
      launch: i.launchTime,
      market: i.market,
    })),
    requests: fleet.spotRequests.map((r) => ({
      id: r.spotRequestId,
      type: r.instanceType,
      region: r.region,
      zone: r.zone,
      time: r.createTime,
      visibleToEC2Api: true,
      status: r.statusCode,
    })),
    internalTrackedRequests: fleet.launches.map((l) => ({
      id: l.clientToken,
      type: l.instanceType,
      region: l.region,
      zone: l.zone,
      time: l.createdAt,
      visibleToEC2Api: false,
      status: l.state,
    })),
  };
}

/** What the loop last saw, in the shapes of `listWorkerTypeSummaries`, `state` and `backendStatus`. */
export class StatusService {
  constructor(
    private readonly workerTypes: WorkerTypeStore,
    private readonly fleet: FleetView,
    private readonly iterations: IterationStore,
    private readonly clock: Clock,
    /** An iteration older than this makes the loop `stale`. */
    private readonly staleAfterMs: number,
  ) {}

  async summaries(): Promise<WorkerTypeSummary[]> {
    const [all, fleets] = await Promise.all([this.workerTypes.all(), this.fleet.byWorkerType(this.now())]);
    return all.map((wt) => summaryOf(wt, fleets.get(wt.workerType) ?? EMPTY_FLEET));
  }

  /**
   * The `state` document (§B.13) plus what this service adds: in-flight launches (the original's
   * `internalTrackedRequests`), a pending removal, the circuit breaker, and the latest iteration's decision
   * record for it. A removed worker type whose instances are still being cleaned up keeps its state; only a
   * name with nothing at all is a 404.
   */
  async state(name: string): Promise<Record<string, unknown>> {
    const now = this.now();
    const [workerType, fleets, removal, latest, breaker] = await Promise.all([
      this.workerTypes.get(name),
      this.fleet.byWorkerType(now, name),
      this.fleet.pendingRemoval(name),
      this.iterations.latestOf(name),
      this.iterations.breakerOf<BreakerState>(name),
    ]);
    const fleet = fleets.get(name) ?? EMPTY_FLEET;
    const empty = fleet.instances.length + fleet.spotRequests.length + fleet.launches.length === 0;
    if (!workerType && !removal && empty) {
      const message = `${name} does not have any state information`;
      throw new NotFoundError(message, { message });
    }
    const definition = workerType ?? { workerType: name, minCapacity: 0, maxCapacity: 0, instanceTypes: [] };
    return {
      workerType: name,
      ...fleetState(fleet),
      summary: summaryOf(definition, fleet),
      ...(removal ? { removal } : {}),
      ...(breaker && breaker.status !== 'closed' ? { breaker } : {}),
      ...(latest
        ? { lastIteration: { at: latest.at, blocked: latest.blocked, decision: latest.decision } }
        : {}),
    };
  }

  async backendStatus(): Promise<BackendStatus> {
    const [last, finished] = await Promise.all([
      this.fleet.lastIteration(),
      this.fleet.lastFinishedIteration(),
    ]);
    const lastCheckedIn = finished?.finishedAt ?? null;
    let status: BackendStatus['status'] = 'pending';
    if (finished) {
      const age = this.clock.now() - Date.parse(finished.finishedAt ?? finished.startedAt);
      status = age > this.staleAfterMs ? 'stale' : finished.outcome === 'failure' ? 'failing' : 'healthy';
    }
    return {
      status,
      lastCheckedIn,
      lastIterationStarted: last?.startedAt ?? null,
      lastError: finished?.error ?? null,
    };
  }

  private now(): Date {
    return new Date(this.clock.now());
  }
}
