import type { Ec2ErrorKind, LaunchRequest, Market } from '../ec2/ec2-port.js';
import type { Database, Queryable } from './database.js';
import type { SecretCipher } from './secret-cipher.js';

export interface NewLaunch {
  clientToken: string;
  workerType: string;
  region: string;
  zone: string;
  instanceType: string;
  market: string;
  maxPrice: number | null;
  /** What the instance costs per hour at launch. */
  hourlyPrice: number;
  capacity: number;
  /** Kept (encrypted: its user data holds the securityToken) to retry the call identically. */
  request: LaunchRequest;
}

/** A launch as recorded, without its request (which only a retry needs). */
export interface LaunchSummary extends Omit<NewLaunch, 'request'> {
  state: 'recorded' | 'submitted' | 'failed';
  instanceId: string | null;
  errorKind: Ec2ErrorKind | null;
  createdAt: number;
}

export interface LaunchRecord extends LaunchSummary {
  request: LaunchRequest;
}

export interface LaunchOutcome {
  workerType: string;
  at: number;
  ok: boolean;
  errorKind: Ec2ErrorKind | null;
}

interface Row {
  client_token: string;
  worker_type: string;
  region: string;
  zone: string;
  instance_type: string;
  market: string;
  max_price: number | null;
  price: number;
  capacity: number;
  state: LaunchRecord['state'];
  instance_id: string | null;
  error_kind: Ec2ErrorKind | null;
  request: string;
  created_at: Date;
}

/**
 * Every launch, recorded before its EC2 call: a launch whose outcome is unknown (crash, timeout) is retried
 * with the same client token, which EC2 deduplicates, so a restart never launches twice and never leaks.
 */
export class LaunchStore {
  private knownCheckedIn = new Set<string>();

  constructor(
    private readonly db: Database,
    private readonly cipher: SecretCipher,
  ) {}

  /** Records launches in one statement, in the caller's transaction (which also writes their secrets). */
  async record(tx: Queryable, launches: readonly NewLaunch[], now: Date): Promise<void> {
    if (launches.length === 0) return;
    const col = <T>(value: (launch: NewLaunch) => T) => launches.map(value);
    await tx.query(
      `INSERT INTO launches (client_token, worker_type, region, zone, instance_type, market, max_price, price, capacity,
         state, request, created_at, updated_at)
       SELECT u.client_token, u.worker_type, u.region, u.zone, u.instance_type, u.market, u.max_price, u.price,
         u.capacity, 'recorded', u.request, $11, $11
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::float8[], $8::float8[],
         $9::float8[], $10::text[])
         AS u (client_token, worker_type, region, zone, instance_type, market, max_price, price, capacity, request)`,
      [
        col((l) => l.clientToken),
        col((l) => l.workerType),
        col((l) => l.region),
        col((l) => l.zone),
        col((l) => l.instanceType),
        col((l) => l.market),
        col((l) => l.maxPrice),
        col((l) => l.hourlyPrice),
        col((l) => l.capacity),
        col((l) => this.cipher.seal(l.request as unknown as Record<string, unknown>)),
        now,
      ],
    );
  }

  /**
   * Marks launches EC2 accepted, dropping the request kept for a retry (it holds the securityToken).
   * Only launches still unsettled: returns the client tokens marked now, so a launch another process
   * settled meanwhile (a leader that lost its lock) is not announced twice.
   */
  async markAllSubmitted(
    tx: Queryable,
    submitted: readonly { clientToken: string; instanceId: string }[],
    now: Date,
  ): Promise<Set<string>> {
    if (submitted.length === 0) return new Set();
    const rows = await tx.query<{ client_token: string }>(
      `UPDATE launches l SET state = 'submitted', instance_id = u.instance_id, updated_at = $3, request = '{}'
       FROM unnest($1::text[], $2::text[]) AS u (client_token, instance_id)
       WHERE l.client_token = u.client_token AND l.state = 'recorded' RETURNING l.client_token`,
      [submitted.map((s) => s.clientToken), submitted.map((s) => s.instanceId), now],
    );
    return new Set(rows.map((r) => r.client_token));
  }

  /**
   * In the caller's transaction: the launch's secret is discarded with it (`SecretStore.discardForLaunch`).
   * False when the launch was already settled (by another process), so its secret must stay.
   */
  async markFailed(
    tx: Queryable,
    clientToken: string,
    error: { kind: Ec2ErrorKind; code: string; message: string },
    now: Date,
  ): Promise<boolean> {
    const rows = await tx.query(
      `UPDATE launches SET state = 'failed', error_kind = $2, error_code = $3, error_message = $4, updated_at = $5,
         request = '{}' WHERE client_token = $1 AND state = 'recorded' RETURNING 1`,
      [clientToken, error.kind, error.code, error.message.slice(0, 1000), now],
    );
    return rows.length > 0;
  }

  /** Launches whose EC2 call has no known outcome yet, oldest first. */
  async unresolved(): Promise<LaunchRecord[]> {
    const rows = await this.db.query<Row>(
      `SELECT * FROM launches WHERE state = 'recorded' ORDER BY created_at`,
    );
    return rows.map((row) => ({
      ...summaryOf(row),
      request: this.cipher.open(row.request) as unknown as LaunchRequest,
    }));
  }

  /**
   * Launches that may not be visible in EC2 yet: outcome unknown, or submitted since `since` with an
   * instance the last stored observation did not show. The caller drops those it can see now.
   * Submitted, not recorded, since `since`: a launch retried long after it was recorded (after a crash or
   * an outage) was submitted just now, and its instance is as new as any.
   */
  async inFlight(since: Date): Promise<LaunchSummary[]> {
    // Two index scans, not one OR: the table keeps `HISTORY_RETENTION` days of launches. Launches already
    // observed stay out: they are most of a burst's, and PGlite's cost is mostly per value returned.
    // A submitted launch's `updated_at` is when it was submitted: nothing updates it afterwards.
    const rows = await this.db.query<Row>(
      `SELECT ${SUMMARY_COLUMNS} FROM launches WHERE state = 'recorded'
       UNION ALL
       SELECT ${SUMMARY_COLUMNS} FROM launches l WHERE state = 'submitted' AND updated_at >= $1
         AND NOT EXISTS (SELECT 1 FROM observed_instances o WHERE o.instance_id = l.instance_id)
       ORDER BY created_at`,
      [since],
    );
    return rows.map(summaryOf);
  }

  /**
   * Instances known to have checked in: they called instanceStarted or redeemed their launch's secret.
   * Having checked in never changes, so instances found checked in last time are not asked again; the
   * loop asks every iteration about every instance EC2 shows, almost all of them checked in long ago.
   */
  async checkedIn(instanceIds: readonly string[]): Promise<Set<string>> {
    const result = new Set<string>();
    const unknown: string[] = [];
    for (const id of instanceIds) {
      if (this.knownCheckedIn.has(id)) result.add(id);
      else unknown.push(id);
    }
    if (unknown.length > 0) {
      // A check-in counts only under the token of that instance's own launch: a token is readable from user
      // data, so an old one must not vouch for another instance. `launch_token IS NOT NULL` lets the planner
      // use secrets' partial index on it.
      const rows = await this.db.query<{ instance_id: string }>(
        `SELECT c.instance_id FROM instance_checkins c
           JOIN secrets s ON s.token = c.token
           JOIN launches l ON l.client_token = s.launch_token AND l.instance_id = c.instance_id
         WHERE c.instance_id = ANY($1::text[]) AND s.launch_token IS NOT NULL
         UNION
         SELECT l.instance_id FROM launches l JOIN secrets s ON s.launch_token = l.client_token
         WHERE l.instance_id = ANY($1::text[]) AND s.launch_token IS NOT NULL AND s.consumed_at IS NOT NULL`,
        [unknown],
      );
      for (const row of rows) result.add(row.instance_id);
    }
    // Only instances asked about now are remembered, so the set never outgrows the fleet.
    this.knownCheckedIn = result;
    return new Set(result);
  }

  /**
   * What the circuit breaker needs of the launches since `since`: every failure and, for each worker type
   * that failed, its latest success (a success resets the count of failures in a row, so earlier ones
   * cannot matter, and without a failure there is nothing to reset). A healthy fleet thus reads no launch
   * at all: failures have an index of their own, and successes are only asked about when one failed.
   */
  async outcomesSince(since: Date): Promise<LaunchOutcome[]> {
    const failures = await this.db.query<{ worker_type: string; updated_at: Date; error_kind: Ec2ErrorKind }>(
      `SELECT worker_type, updated_at, error_kind FROM launches WHERE state = 'failed' AND updated_at >= $1`,
      [since],
    );
    if (failures.length === 0) return [];
    const failed = [...new Set(failures.map((r) => r.worker_type))];
    const successes = await this.db.query<{ worker_type: string; at: Date }>(
      `SELECT worker_type, max(updated_at) AS at FROM launches
       WHERE state = 'submitted' AND updated_at >= $1 AND worker_type = ANY($2::text[]) GROUP BY worker_type`,
      [since, failed],
    );
    const outcomes: LaunchOutcome[] = [
      ...failures.map((r) => ({
        workerType: r.worker_type,
        at: r.updated_at.getTime(),
        ok: false,
        errorKind: r.error_kind,
      })),
      ...successes.map((r) => ({ workerType: r.worker_type, at: r.at.getTime(), ok: true, errorKind: null })),
    ];
    // Stable, successes after failures: at one time (one pass's launches), a success still resets them.
    return outcomes.sort((a, b) => a.at - b.at);
  }

  /** The instances of a worker type's launches recorded before `before` (those EC2 accepted). */
  async instancesLaunchedBefore(workerType: string, before: Date): Promise<string[]> {
    const rows = await this.db.query<{ instance_id: string }>(
      `SELECT instance_id FROM launches
       WHERE worker_type = $1 AND created_at < $2 AND instance_id IS NOT NULL`,
      [workerType, before],
    );
    return rows.map((r) => r.instance_id);
  }

  /** Each pool's latest launch failure of one of `kinds` since `since` (any worker type). */
  async poolFailuresSince(since: Date, kinds: readonly Ec2ErrorKind[]) {
    const rows = await this.db.query<{
      region: string;
      zone: string;
      instance_type: string;
      market: Market;
      error_kind: Ec2ErrorKind;
      error_code: string;
      error_message: string;
      max_price: number | null;
      updated_at: Date;
    }>(
      `SELECT DISTINCT ON (region, zone, instance_type, market)
         region, zone, instance_type, market, error_kind, error_code, error_message, max_price, updated_at
       FROM launches WHERE state = 'failed' AND updated_at >= $1 AND error_kind = ANY($2::text[])
       ORDER BY region, zone, instance_type, market, updated_at DESC`,
      [since, kinds],
    );
    return rows.map((r) => ({
      region: r.region,
      zone: r.zone,
      instanceType: r.instance_type,
      market: r.market,
      kind: r.error_kind,
      code: r.error_code,
      message: r.error_message,
      maxPrice: r.max_price === null ? null : Number(r.max_price),
      at: r.updated_at.getTime(),
    }));
  }

  /** Recent failures of a worker type with EC2's reasons (for the admin UI). */
  async recentFailures(workerType: string, limit = 20) {
    return this.db.query<{
      at: Date;
      region: string;
      zone: string;
      instanceType: string;
      code: string;
      message: string;
    }>(
      `SELECT updated_at AS at, region, zone, instance_type AS "instanceType", error_code AS code,
         error_message AS message
       FROM launches WHERE worker_type = $1 AND state = 'failed' ORDER BY updated_at DESC LIMIT $2`,
      [workerType, limit],
    );
  }

  /** Deletes resolved launches last updated before `before`. */
  async prune(before: Date): Promise<number> {
    const rows = await this.db.query(
      `DELETE FROM launches WHERE state <> 'recorded' AND updated_at < $1 RETURNING client_token`,
      [before],
    );
    return rows.length;
  }
}

/** The columns `summaryOf` reads. */
const SUMMARY_COLUMNS = `client_token, worker_type, region, zone, instance_type, market, max_price, price, capacity, state,
  instance_id, error_kind, created_at`;

function summaryOf(row: Pick<Row, Exclude<keyof Row, 'request'>>): LaunchSummary {
  return {
    clientToken: row.client_token,
    workerType: row.worker_type,
    region: row.region,
    zone: row.zone,
    instanceType: row.instance_type,
    market: row.market,
    maxPrice: row.max_price,
    hourlyPrice: row.price,
    capacity: row.capacity,
    state: row.state,
    instanceId: row.instance_id,
    errorKind: row.error_kind,
    createdAt: row.created_at.getTime(),
  };
}
