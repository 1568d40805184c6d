/** The shapes of the admin endpoints' replies, as the UI reads them (see `src/services/admin-service.ts`). */

export interface OverviewRow {
  workerType: string;
  defined: boolean;
  minCapacity: number | null;
  maxCapacity: number | null;
  maxHourlySpend: number | null;
  lastModified: string | null;
  snapshotAt: string | null;
  pendingTasks: number | null;
  runningCapacity: number | null;
  pendingCapacity: number | null;
  requestedCapacity: number | null;
  spendPerHour: number | null;
  spotCapacity: number | null;
  spotShare: number | null;
  launchFailures: number | null;
  blocked: string | null;
}

export interface IterationDetails {
  id: number;
  startedAt: string;
  finishedAt: string | null;
  outcome: 'success' | 'partial' | 'failure' | null;
  error: string | null;
  summary: { errors?: string[]; unavailableRegions?: string[] } | null;
}

export interface LoopHealth {
  status: 'pending' | 'healthy' | 'failing' | 'stale';
  lastCheckedIn: string | null;
  lastIterationStarted: string | null;
  lastError: string | null;
  recentIterations: IterationDetails[];
}

export interface Overview {
  now: string;
  loop: LoopHealth;
  workerTypes: OverviewRow[];
}

export interface InstanceView {
  instanceId: string;
  region: string;
  zone: string;
  instanceType: string;
  market: string;
  state: string;
  stateReason: string | null;
  hourlyPrice: number | null;
  launchTime: string;
  ageSeconds: number;
  spotRequestId: string | null;
}

/** One worker type's figures at one iteration (levels) or over one bucket of them. */
export interface CapacityFigures {
  at: string;
  pendingTasks: number | null;
  runningCapacity: number;
  pendingCapacity: number;
  requestedCapacity: number;
  spendPerHour: number;
  spotCapacity: number;
  launches: number;
  launchFailures: number;
  terminations: number;
}

export interface Snapshot extends CapacityFigures {
  blocked: string | null;
  decision: unknown;
}

export interface WorkerTypeDetails {
  workerType: string;
  now: string;
  instances: InstanceView[];
  instancesTruncated: boolean;
  /** Every live instance, counted in full (`instances` keeps only the newest). */
  liveInstances: { running: number; pending: number };
  spotRequests: {
    spotRequestId: string;
    region: string;
    zone: string | null;
    instanceType: string;
    createTime: string;
    statusCode: string;
  }[];
  inFlightLaunches: {
    clientToken: string;
    region: string;
    zone: string;
    instanceType: string;
    market: string;
    createdAt: string;
    state: string;
  }[];
  launchFailures: {
    at: string;
    region: string;
    zone: string;
    instanceType: string;
    code: string | null;
    message: string | null;
  }[];
  outstandingSecrets: number;
  latest: Snapshot | null;
  removal: { requestedAt: string; lastError: string | null } | null;
}

export interface HistoryPoint extends CapacityFigures {
  samples: number;
}

export interface History {
  workerType: string;
  since: string;
  until: string;
  bucketMs: number;
  points: HistoryPoint[];
}

/** A worker type definition as the v1 API returns it (`workerType` and `lastModified` included). */
export type Definition = Record<string, unknown>;
