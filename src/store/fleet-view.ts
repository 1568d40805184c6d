import type { Database } from './database.js';
import type { IterationSummary } from './iteration-store.js';

export interface ObservedInstance {
  instanceId: string;
  region: string;
  workerType: string;
  instanceType: string;
  zone: string;
  state: string;
  market: string;
  imageId: string;
  launchTime: string;
  spotRequestId: string | null;
  stateReason: string | null;
}

export interface ObservedSpotRequest {
  spotRequestId: string;
  region: string;
  workerType: string;
  instanceType: string;
  zone: string | null;
  state: string;
  statusCode: string;
  createTime: string;
  instanceId: string | null;
  maxPrice: number;
}

/** A launch recorded by the loop whose instance EC2 does not show yet (or whose call's outcome is unknown). */
export interface InFlightLaunch {
  clientToken: string;
  workerType: string;
  region: string;
  zone: string;
  instanceType: string;
  market: string;
  capacity: number;
  state: string;
  instanceId: string | null;
  createdAt: string;
}

export interface Fleet {
  instances: ObservedInstance[];
  spotRequests: ObservedSpotRequest[];
  launches: InFlightLaunch[];
}

export interface IterationRecord {
  id: number;
  startedAt: string;
  finishedAt: string | null;
  outcome: 'success' | 'partial' | 'failure' | null;
  error: string | null;
}

/** One row of the admin overview: a worker type's definition limits and its latest snapshot's figures. */
export interface OverviewRow {
  workerType: string;
  /** False for a removed worker type whose cleanup is not finished. */
  defined: boolean;
  minCapacity: number | null;
  maxCapacity: number | null;
  maxHourlySpend: number | null;
  lastModified: string | null;
  /** When the latest snapshot was taken; null before the loop has seen this worker type. */
  snapshotAt: string | null;
  pendingTasks: number | null;
  runningCapacity: number | null;
  pendingCapacity: number | null;
  requestedCapacity: number | null;
  spendPerHour: number | null;
  spotCapacity: number | null;
  launchFailures: number | null;
  blocked: string | null;
}

export interface PricedInstance extends ObservedInstance {
  /** USD per hour as the loop last priced it; null when it could not. */
  hourlyPrice: number | null;
  observedAt: string;
}

export interface IterationDetails extends IterationRecord {
  /** The loop's own account of the iteration (counts, unavailable regions, errors); null until it ends. */
  summary: IterationSummary | null;
}

/** How long a submitted launch counts as in flight while EC2's describe calls do not show it yet. */
export const VISIBILITY_GRACE_MS = 15 * 60_000;

const INSTANCE_COLUMNS = `instance_id AS "instanceId", region, worker_type AS "workerType",
  instance_type AS "instanceType", zone, state, market, image_id AS "imageId", launch_time AS "launchTime",
  spot_request_id AS "spotRequestId", state_reason AS "stateReason"`;
const REQUEST_COLUMNS = `spot_request_id AS "spotRequestId", region, worker_type AS "workerType",
  instance_type AS "instanceType", zone, state, status_code AS "statusCode", create_time AS "createTime",
  instance_id AS "instanceId", max_price AS "maxPrice"`;
const LAUNCH_COLUMNS = `client_token AS "clientToken", worker_type AS "workerType", region, zone,
  instance_type AS "instanceType", market, capacity, state, instance_id AS "instanceId", created_at AS "createdAt"`;

/** Read side of what the loop observed: the basis of `state`, summaries and the admin UI. */
export class FleetView {
  constructor(private readonly db: Database) {}

  /** Live resources, by worker type (every worker type that has any, defined or not). */
  async byWorkerType(now: Date, workerType?: string): Promise<Map<string, Fleet>> {
    const params = workerType === undefined ? [] : [workerType];
    const ofType = (placeholder: string) =>
      workerType === undefined ? '' : `AND worker_type = ${placeholder}`;
    const [instances, spotRequests, launches] = await Promise.all([
      this.db.query<ObservedInstance>(
        `SELECT ${INSTANCE_COLUMNS} FROM observed_instances
         WHERE state IN ('pending', 'running') ${ofType('$1')} ORDER BY launch_time, instance_id`,
        params,
      ),
      this.db.query<ObservedSpotRequest>(
        `SELECT ${REQUEST_COLUMNS} FROM observed_spot_requests
         WHERE state = 'open' ${ofType('$1')} ORDER BY create_time, spot_request_id`,
        params,
      ),
      this.db.query<InFlightLaunch>(
        `SELECT ${LAUNCH_COLUMNS} FROM launches l
         WHERE (l.state = 'recorded' OR (l.state = 'submitted' AND l.updated_at >= $1 AND NOT EXISTS
           (SELECT 1 FROM observed_instances o WHERE o.instance_id = l.instance_id))) ${ofType('$2')}
         ORDER BY l.created_at, l.client_token`,
        [new Date(now.getTime() - VISIBILITY_GRACE_MS), ...params],
      ),
    ]);
    const fleets = new Map<string, Fleet>();
    const fleetOf = (name: string) => {
      let fleet = fleets.get(name);
      if (!fleet) {
        fleet = { instances: [], spotRequests: [], launches: [] };
        fleets.set(name, fleet);
      }
      return fleet;
    };
    for (const i of instances) fleetOf(i.workerType).instances.push({ ...i, launchTime: iso(i.launchTime) });
    for (const r of spotRequests)
      fleetOf(r.workerType).spotRequests.push({ ...r, createTime: iso(r.createTime) });
    for (const l of launches) fleetOf(l.workerType).launches.push({ ...l, createdAt: iso(l.createdAt) });
    return fleets;
  }

  async lastIteration(): Promise<IterationRecord | undefined> {
    const rows = await this.db.query<IterationRecord>(
      `SELECT id, started_at AS "startedAt", finished_at AS "finishedAt", outcome, error
       FROM loop_iterations ORDER BY id DESC LIMIT 1`,
    );
    const row = rows[0];
    return (
      row && {
        ...row,
        startedAt: iso(row.startedAt),
        finishedAt: row.finishedAt ? iso(row.finishedAt) : null,
      }
    );
  }

  /** The last iteration that finished (any outcome), for backendStatus. */
  async lastFinishedIteration(): Promise<IterationRecord | undefined> {
    const rows = await this.db.query<IterationRecord>(
      `SELECT id, started_at AS "startedAt", finished_at AS "finishedAt", outcome, error
       FROM loop_iterations WHERE finished_at IS NOT NULL ORDER BY id DESC LIMIT 1`,
    );
    const row = rows[0];
    return (
      row && {
        ...row,
        startedAt: iso(row.startedAt),
        finishedAt: row.finishedAt ? iso(row.finishedAt) : null,
      }
    );
  }

  /**
   * Every defined worker type (and every removed one still being cleaned up) with its latest snapshot, in
   * one query: one index probe per worker type, however long the history is.
   */
  async overview(): Promise<OverviewRow[]> {
    const rows = await this.db.query<OverviewRow & { lastModified: Date | null; snapshotAt: Date | null }>(
      `WITH names AS (
         SELECT name AS worker_type, true AS defined, (definition->>'minCapacity')::float8 AS min_capacity,
           (definition->>'maxCapacity')::float8 AS max_capacity,
           (definition->>'maxHourlySpend')::float8 AS max_hourly_spend, last_modified
         FROM worker_types
         UNION ALL
         SELECT r.worker_type, false, NULL, NULL, NULL, NULL FROM worker_type_removals r
         WHERE NOT EXISTS (SELECT 1 FROM worker_types w WHERE w.name = r.worker_type))
       SELECT n.worker_type AS "workerType", n.defined, n.min_capacity AS "minCapacity",
         n.max_capacity AS "maxCapacity", n.max_hourly_spend AS "maxHourlySpend", n.last_modified AS "lastModified",
         s.at AS "snapshotAt", s.pending_tasks AS "pendingTasks", s.running_capacity AS "runningCapacity",
         s.pending_capacity AS "pendingCapacity", s.requested_capacity AS "requestedCapacity",
         s.spend_per_hour AS "spendPerHour", s.spot_capacity AS "spotCapacity",
         s.launch_failures AS "launchFailures", s.blocked
       FROM names n LEFT JOIN LATERAL (
         SELECT * FROM worker_type_snapshots x WHERE x.worker_type = n.worker_type ORDER BY x.at DESC LIMIT 1
       ) s ON true
       ORDER BY n.worker_type`,
    );
    return rows.map((r) => ({
      ...r,
      lastModified: r.lastModified ? iso(r.lastModified) : null,
      snapshotAt: r.snapshotAt ? iso(r.snapshotAt) : null,
    }));
  }

  /** A worker type's observed instances in every state, newest first, with what each costs per hour. */
  async pricedInstances(workerType: string, limit: number): Promise<PricedInstance[]> {
    const rows = await this.db.query<PricedInstance>(
      `SELECT ${INSTANCE_COLUMNS}, hourly_price AS "hourlyPrice", observed_at AS "observedAt"
       FROM observed_instances WHERE worker_type = $1 ORDER BY launch_time DESC, instance_id LIMIT $2`,
      [workerType, limit],
    );
    return rows.map((r) => ({ ...r, launchTime: iso(r.launchTime), observedAt: iso(r.observedAt) }));
  }

  /** The latest iterations, newest first, with their summaries (for the loop's health). */
  async recentIterations(limit: number): Promise<IterationDetails[]> {
    const rows = await this.db.query<IterationDetails>(
      `SELECT id, started_at AS "startedAt", finished_at AS "finishedAt", outcome, error, summary
       FROM loop_iterations ORDER BY id DESC LIMIT $1`,
      [limit],
    );
    return rows.map((row) => ({
      ...row,
      id: Number(row.id),
      startedAt: iso(row.startedAt),
      finishedAt: row.finishedAt ? iso(row.finishedAt) : null,
    }));
  }

  async pendingRemoval(
    workerType: string,
  ): Promise<{ requestedAt: string; lastError: string | null } | undefined> {
    const rows = await this.db.query<{ requested_at: Date; last_error: string | null }>(
      'SELECT requested_at, last_error FROM worker_type_removals WHERE worker_type = $1',
      [workerType],
    );
    const row = rows[0];
    return row && { requestedAt: row.requested_at.toISOString(), lastError: row.last_error };
  }
}

function iso(value: string | Date): string {
  return value instanceof Date ? value.toISOString() : new Date(value).toISOString();
}
