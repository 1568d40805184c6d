import type { Clock } from '../clock/clock.js';
import type {
  FleetView,
  InFlightLaunch,
  IterationDetails,
  ObservedSpotRequest,
  OverviewRow,
  PricedInstance,
} from '../store/fleet-view.js';
import type { HistoryBucket, IterationStore, WorkerTypeSnapshot } from '../store/iteration-store.js';
import type { LaunchStore } from '../store/launch-store.js';
import type { SecretStore } from '../store/secret-store.js';
import type { BackendStatus, StatusService } from './status-service.js';

export interface AdminServiceDeps {
  fleet: FleetView;
  iterations: IterationStore;
  launches: LaunchStore;
  secrets: SecretStore;
  status: StatusService;
  clock: Clock;
}

export interface OverviewEntry extends OverviewRow {
  /** Spot capacity as a share of running + pending capacity (0..1); null with no capacity. */
  spotShare: number | null;
}

export interface LoopHealth extends BackendStatus {
  /** The latest iterations, newest first, with their summaries (errors, unavailable regions). */
  recentIterations: IterationDetails[];
}

export interface Overview {
  /** The service's time (the sandbox's may run faster than the wall clock). */
  now: string;
  loop: LoopHealth;
  workerTypes: OverviewEntry[];
}

export interface InstanceView extends PricedInstance {
  ageSeconds: number;
}

export interface LaunchFailureView {
  at: string;
  region: string;
  zone: string;
  instanceType: string;
  code: string | null;
  message: string | null;
}

export interface WorkerTypeDetails {
  workerType: string;
  now: string;
  instances: InstanceView[];
  /** More instances exist than were returned (the newest are). */
  instancesTruncated: boolean;
  /** Every live instance EC2 last showed, counted in full (`instances` keeps only the newest). */
  liveInstances: { running: number; pending: number };
  spotRequests: ObservedSpotRequest[];
  inFlightLaunches: InFlightLaunch[];
  launchFailures: LaunchFailureView[];
  outstandingSecrets: number;
  /** The latest snapshot with its decision record; null before the loop has seen the worker type. */
  latest: (WorkerTypeSnapshot & { at: string }) | null;
  removal: { requestedAt: string; lastError: string | null } | null;
}

export interface HistoryRange {
  since: Date;
  until: Date;
  /** The most points to return; longer histories are aggregated into this many time buckets. */
  maxPoints: number;
}

export interface History {
  workerType: string;
  since: string;
  until: string;
  /** The width of one bucket; a point aggregates the snapshots of its bucket. */
  bucketMs: number;
  points: HistoryBucket[];
}

export const INSTANCE_LIMIT = 2000;
const RECENT_ITERATIONS = 5;
const RECENT_FAILURES = 20;

/** The admin UI's read models: one call per page, each a fixed number of queries whatever the fleet's size. */
export class AdminService {
  constructor(private readonly deps: AdminServiceDeps) {}

  async overview(): Promise<Overview> {
    const { fleet, status } = this.deps;
    const [rows, backend, recentIterations] = await Promise.all([
      fleet.overview(),
      status.backendStatus(),
      fleet.recentIterations(RECENT_ITERATIONS),
    ]);
    return {
      now: this.now().toISOString(),
      loop: { ...backend, recentIterations },
      workerTypes: rows.map((row) => ({ ...row, spotShare: spotShare(row) })),
    };
  }

  async workerType(name: string): Promise<WorkerTypeDetails> {
    const { fleet, iterations, launches, secrets } = this.deps;
    const now = this.now();
    const [instances, live, failures, outstanding, latest, removal] = await Promise.all([
      fleet.pricedInstances(name, INSTANCE_LIMIT + 1),
      fleet.byWorkerType(now, name),
      launches.recentFailures(name, RECENT_FAILURES),
      secrets.outstanding(name, now),
      iterations.latestOf(name),
      fleet.pendingRemoval(name),
    ]);
    const current = live.get(name);
    return {
      workerType: name,
      now: now.toISOString(),
      instances: instances.slice(0, INSTANCE_LIMIT).map((instance) => ({
        ...instance,
        ageSeconds: Math.max(0, Math.round((now.getTime() - Date.parse(instance.launchTime)) / 1000)),
      })),
      instancesTruncated: instances.length > INSTANCE_LIMIT,
      liveInstances: {
        running: current?.instances.filter((i) => i.state === 'running').length ?? 0,
        pending: current?.instances.filter((i) => i.state === 'pending').length ?? 0,
      },
      spotRequests: current?.spotRequests ?? [],
      inFlightLaunches: current?.launches ?? [],
      launchFailures: failures.map((f) => ({ ...f, at: new Date(f.at).toISOString() })),
      outstandingSecrets: outstanding,
      latest: latest ?? null,
      removal: removal ?? null,
    };
  }

  async history(name: string, range: HistoryRange): Promise<History> {
    const windowMs = range.until.getTime() - range.since.getTime();
    const bucketMs = Math.max(1, Math.ceil(windowMs / range.maxPoints));
    const points = await this.deps.iterations.historyBuckets(name, range.since, range.until, bucketMs);
    return {
      workerType: name,
      since: range.since.toISOString(),
      until: range.until.toISOString(),
      bucketMs,
      points,
    };
  }

  now(): Date {
    return new Date(this.deps.clock.now());
  }
}

/** Spot capacity over running + pending capacity; pending includes in-flight launches of either market. */
export function spotShare(row: Pick<OverviewRow, 'spotCapacity' | 'runningCapacity' | 'pendingCapacity'>) {
  const total = (row.runningCapacity ?? 0) + (row.pendingCapacity ?? 0);
  if (total <= 0 || row.spotCapacity === null) return null;
  return Math.min(1, row.spotCapacity / total);
}
