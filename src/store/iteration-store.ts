import { CLOSED_BREAKER } from '../domain/circuit-breaker.js';
import type { Database, Queryable } from './database.js';
import type { ChangeListener } from './worker-type-store.js';

export interface WorkerTypeSnapshot {
  workerType: string;
  pendingTasks: number | null;
  runningCapacity: number;
  pendingCapacity: number;
  requestedCapacity: number;
  spendPerHour: number;
  /** Capacity on spot instances (the rest of running + pending is on-demand). */
  spotCapacity: number;
  launches: number;
  launchFailures: number;
  terminations: number;
  blocked: string | null;
  decision: unknown;
}

export interface SnapshotPoint extends Omit<WorkerTypeSnapshot, 'decision'> {
  at: string;
}

/** Figures of one time bucket: levels averaged, event counts summed, `at` its latest sample. */
export type HistoryBucket = Omit<SnapshotPoint, 'workerType' | 'blocked'> & { samples: number };

export interface Termination {
  instanceId: string;
  workerType: string;
  region: string;
  reason: string;
}

/** What `loop_iterations.summary` holds; an iteration that failed as a whole stores only its errors. */
export interface IterationSummary {
  workerTypes?: number;
  planned?: number;
  launched?: number;
  failed?: number;
  terminations?: number;
  cancellations?: number;
  hourlySpend?: number;
  unavailableRegions?: string[];
  errors?: string[];
}

/** A breaker state an iteration judged, and the stored state it judged from (undefined: none was stored). */
export interface BreakerJudgement {
  workerType: string;
  state: unknown;
  loaded: unknown;
}

/** The loop's own history: iterations, per worker type snapshots, breaker states and its terminations. */
export class IterationStore {
  constructor(private readonly db: Database) {}

  async start(now: Date): Promise<number> {
    const rows = await this.db.query<{ id: number }>(
      'INSERT INTO loop_iterations (started_at) VALUES ($1) RETURNING id',
      [now],
    );
    return rows[0]?.id ?? 0;
  }

  async finish(
    id: number,
    outcome: 'success' | 'partial' | 'failure',
    error: string | null,
    summary: IterationSummary,
    now: Date,
  ) {
    await this.db.query(
      'UPDATE loop_iterations SET finished_at = $2, outcome = $3, error = $4, summary = $5 WHERE id = $1',
      [id, now, outcome, error, JSON.stringify(summary)],
    );
  }

  async saveSnapshots(
    iterationId: number,
    snapshots: readonly WorkerTypeSnapshot[],
    now: Date,
  ): Promise<void> {
    if (snapshots.length === 0) return;
    const col = <K extends keyof WorkerTypeSnapshot>(key: K) => snapshots.map((s) => s[key]);
    await this.db.query(
      `INSERT INTO worker_type_snapshots (iteration_id, at, worker_type, pending_tasks, running_capacity,
         pending_capacity, requested_capacity, spend_per_hour, spot_capacity, launches, launch_failures, terminations,
         blocked, decision)
       SELECT $1, $2, u.* FROM unnest($3::text[], $4::int[], $5::float8[], $6::float8[], $7::float8[], $8::float8[],
         $9::float8[], $10::int[], $11::int[], $12::int[], $13::text[], $14::jsonb[]) AS u`,
      [
        iterationId,
        now,
        col('workerType'),
        col('pendingTasks'),
        col('runningCapacity'),
        col('pendingCapacity'),
        col('requestedCapacity'),
        col('spendPerHour'),
        col('spotCapacity'),
        col('launches'),
        col('launchFailures'),
        col('terminations'),
        col('blocked'),
        snapshots.map((s) => JSON.stringify(s.decision)),
      ],
    );
  }

  /** Snapshots of one worker type between `since` and `until`, oldest first, for charts. */
  async history(workerType: string, since: Date, until: Date): Promise<SnapshotPoint[]> {
    const rows = await this.db.query<SnapshotPoint & { at: Date }>(
      `SELECT at, worker_type AS "workerType", pending_tasks AS "pendingTasks", running_capacity AS "runningCapacity",
         pending_capacity AS "pendingCapacity", requested_capacity AS "requestedCapacity",
         spend_per_hour AS "spendPerHour", spot_capacity AS "spotCapacity", launches,
         launch_failures AS "launchFailures", terminations, blocked
       FROM worker_type_snapshots WHERE worker_type = $1 AND at >= $2 AND at <= $3 ORDER BY at`,
      [workerType, since, until],
    );
    return rows.map((r) => ({ ...r, at: r.at.toISOString() }));
  }

  /**
   * The history of one worker type in buckets of `bucketMs` (at most one point per bucket), aggregated in the
   * database so a long window never loads every snapshot.
   */
  async historyBuckets(
    workerType: string,
    since: Date,
    until: Date,
    bucketMs: number,
  ): Promise<HistoryBucket[]> {
    const rows = await this.db.query<HistoryBucket & { at: Date }>(
      `SELECT max(at) AS at, count(*)::int AS samples, avg(pending_tasks)::float8 AS "pendingTasks",
         avg(running_capacity)::float8 AS "runningCapacity", avg(pending_capacity)::float8 AS "pendingCapacity",
         avg(requested_capacity)::float8 AS "requestedCapacity", avg(spend_per_hour)::float8 AS "spendPerHour",
         avg(spot_capacity)::float8 AS "spotCapacity", sum(launches)::int AS launches,
         sum(launch_failures)::int AS "launchFailures", sum(terminations)::int AS terminations
       FROM worker_type_snapshots WHERE worker_type = $1 AND at >= $2 AND at <= $3
       GROUP BY floor(extract(epoch FROM (at - $2::timestamptz)) * 1000 / $4) ORDER BY 1`,
      [workerType, since, until, bucketMs],
    );
    return rows.map((r) => ({ ...r, at: r.at.toISOString() }));
  }

  /** The latest snapshot of one worker type, with its decision record. */
  async latestOf(workerType: string): Promise<(WorkerTypeSnapshot & { at: string }) | undefined> {
    const rows = await this.db.query<WorkerTypeSnapshot & { at: Date }>(
      `SELECT at, worker_type AS "workerType", pending_tasks AS "pendingTasks", running_capacity AS "runningCapacity",
         pending_capacity AS "pendingCapacity", requested_capacity AS "requestedCapacity",
         spend_per_hour AS "spendPerHour", spot_capacity AS "spotCapacity", launches,
         launch_failures AS "launchFailures", terminations, blocked, decision
       FROM worker_type_snapshots WHERE worker_type = $1 ORDER BY at DESC LIMIT 1`,
      [workerType],
    );
    const row = rows[0];
    return row && { ...row, at: row.at.toISOString() };
  }

  /** The latest snapshot of every worker type (one query), for the overview. */
  async latest(): Promise<Map<string, WorkerTypeSnapshot & { at: string }>> {
    const rows = await this.db.query<WorkerTypeSnapshot & { at: Date }>(
      `SELECT DISTINCT ON (worker_type) at, worker_type AS "workerType", pending_tasks AS "pendingTasks",
         running_capacity AS "runningCapacity", pending_capacity AS "pendingCapacity",
         requested_capacity AS "requestedCapacity", spend_per_hour AS "spendPerHour", spot_capacity AS "spotCapacity",
         launches, launch_failures AS "launchFailures", terminations, blocked, decision
       FROM worker_type_snapshots ORDER BY worker_type, at DESC`,
    );
    return new Map(rows.map((r) => [r.workerType, { ...r, at: r.at.toISOString() }]));
  }

  /**
   * A created or updated worker type starts with a closed breaker that judges only what happens from now
   * on: the old definition's failures are not the new one's, and a user who fixed the definition (an AMI,
   * a launch spec) need not wait out a cool-down. `since` keeps older evidence, still in the window, out.
   */
  readonly breakerResetListener: ChangeListener = async (tx: Queryable, change) => {
    if (change.event === 'removed') return;
    const closed = { ...CLOSED_BREAKER, since: change.at.getTime() };
    await tx.query(
      `INSERT INTO circuit_breakers (worker_type, state, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (worker_type) DO UPDATE SET state = EXCLUDED.state, updated_at = EXCLUDED.updated_at`,
      [change.workerType, JSON.stringify(closed), change.at],
    );
  };

  async breakerOf<State>(workerType: string): Promise<State | undefined> {
    const rows = await this.db.query<{ state: State }>(
      'SELECT state FROM circuit_breakers WHERE worker_type = $1',
      [workerType],
    );
    return rows[0]?.state;
  }

  async loadBreakers<State>(): Promise<Map<string, State>> {
    const rows = await this.db.query<{ worker_type: string; state: State }>(
      'SELECT worker_type, state FROM circuit_breakers',
    );
    return new Map(rows.map((r) => [r.worker_type, r.state]));
  }

  /**
   * Saves the breaker states an iteration judged, each only where the stored state is still the one it
   * judged from (`loaded`; undefined for none): a reset made meanwhile (the worker type was updated) wins.
   */
  async saveBreakers(judged: readonly BreakerJudgement[], now: Date): Promise<void> {
    const updates = judged.filter((j) => j.loaded !== undefined);
    const inserts = judged.filter((j) => j.loaded === undefined);
    const json = (value: unknown) => JSON.stringify(value);
    if (updates.length > 0) {
      await this.db.query(
        `UPDATE circuit_breakers c SET state = u.state, updated_at = $4
         FROM unnest($1::text[], $2::jsonb[], $3::jsonb[]) AS u(worker_type, state, loaded)
         WHERE c.worker_type = u.worker_type AND c.state = u.loaded`,
        [
          updates.map((j) => j.workerType),
          updates.map((j) => json(j.state)),
          updates.map((j) => json(j.loaded)),
          now,
        ],
      );
    }
    if (inserts.length > 0) {
      await this.db.query(
        `INSERT INTO circuit_breakers (worker_type, state, updated_at)
         SELECT u.worker_type, u.state, $3 FROM unnest($1::text[], $2::jsonb[]) AS u(worker_type, state)
         ON CONFLICT (worker_type) DO NOTHING`,
        [inserts.map((j) => j.workerType), inserts.map((j) => json(j.state)), now],
      );
    }
  }

  /** Records terminations not recorded yet (in `q`'s transaction when given); returns the ids recorded now. */
  async recordTerminations(
    terminations: readonly Termination[],
    now: Date,
    q: Queryable = this.db,
  ): Promise<Set<string>> {
    if (terminations.length === 0) return new Set();
    const rows = await q.query<{ instance_id: string }>(
      `INSERT INTO instance_terminations (instance_id, worker_type, region, reason, requested_at)
       SELECT u.*, $5 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS u
       ON CONFLICT (instance_id) DO NOTHING RETURNING instance_id`,
      [
        terminations.map((t) => t.instanceId),
        terminations.map((t) => t.workerType),
        terminations.map((t) => t.region),
        terminations.map((t) => t.reason),
        now,
      ],
    );
    return new Set(rows.map((r) => r.instance_id));
  }

  /** Instance ids this service terminated (so their deaths are not held against their worker type). */
  async terminatedByUs(since: Date): Promise<Set<string>> {
    const rows = await this.db.query<{ instance_id: string }>(
      'SELECT instance_id FROM instance_terminations WHERE requested_at >= $1',
      [since],
    );
    return new Set(rows.map((r) => r.instance_id));
  }

  /** Deletes history older than `before`; returns the number of snapshot rows removed. */
  async prune(before: Date): Promise<number> {
    const removed = await this.db.query('DELETE FROM worker_type_snapshots WHERE at < $1 RETURNING id', [
      before,
    ]);
    await this.db.query('DELETE FROM loop_iterations WHERE started_at < $1', [before]);
    await this.db.query('DELETE FROM instance_terminations WHERE requested_at < $1', [before]);
    return removed.length;
  }
}
