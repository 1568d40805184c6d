import type { Ec2ErrorKind, LaunchRequest } from '../ec2/ec2-port.js';
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
  constructor(
    private readonly db: Database,
    private readonly cipher: SecretCipher,
  ) {}

  async record(tx: Queryable, launch: NewLaunch, now: Date): Promise<void> {
    await tx.query(
      `INSERT INTO launches (client_token, worker_type, region, zone, instance_type, market, max_price, price, capacity,
         state, request, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'recorded', $10, $11, $11)`,
      [
        launch.clientToken,
        launch.workerType,
        launch.region,
        launch.zone,
        launch.instanceType,
        launch.market,
        launch.maxPrice,
        launch.hourlyPrice,
        launch.capacity,
        this.cipher.seal(launch.request as unknown as Record<string, unknown>),
        now,
      ],
    );
  }

  async markSubmitted(
    clientToken: string,
    instanceId: string,
    now: Date,
    tx: Queryable = this.db,
  ): Promise<void> {
    await tx.query(
      `UPDATE launches SET state = 'submitted', instance_id = $2, updated_at = $3, request = '{}' WHERE client_token = $1`,
      [clientToken, instanceId, now],
    );
  }

  async markFailed(
    clientToken: string,
    error: { kind: Ec2ErrorKind; code: string; message: string },
    now: Date,
  ) {
    await this.db.query(
      `UPDATE launches SET state = 'failed', error_kind = $2, error_code = $3, error_message = $4, updated_at = $5,
         request = '{}' WHERE client_token = $1`,
      [clientToken, error.kind, error.code, error.message.slice(0, 1000), now],
    );
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
   * Launches that may not be visible in EC2 yet: outcome unknown, or submitted since `since`. The caller
   * drops those whose instance it can see.
   */
  async inFlight(since: Date): Promise<LaunchSummary[]> {
    const rows = await this.db.query<Row>(
      `SELECT * FROM launches WHERE state = 'recorded' OR (state = 'submitted' AND created_at >= $1) ORDER BY created_at`,
      [since],
    );
    return rows.map(summaryOf);
  }

  /** Instances known to have checked in: they called instanceStarted or redeemed their launch's secret. */
  async checkedIn(instanceIds: readonly string[]): Promise<Set<string>> {
    if (instanceIds.length === 0) return new Set();
    const rows = await this.db.query<{ instance_id: string }>(
      `SELECT instance_id FROM instance_checkins WHERE instance_id = ANY($1::text[])
       UNION
       SELECT l.instance_id FROM launches l JOIN secrets s ON s.launch_token = l.client_token
       WHERE l.instance_id = ANY($1::text[]) AND s.consumed_at IS NOT NULL`,
      [instanceIds],
    );
    return new Set(rows.map((r) => r.instance_id));
  }

  /**
   * What the circuit breaker needs of the launches since `since`: every failure, and each worker type's
   * latest success (a success resets the count of failures in a row, so earlier ones cannot matter).
   * A healthy fleet thus reads a row per worker type, not one per launch.
   */
  async outcomesSince(since: Date): Promise<LaunchOutcome[]> {
    const rows = await this.db.query<{
      worker_type: string;
      updated_at: Date;
      state: string;
      error_kind: Ec2ErrorKind;
    }>(
      `SELECT worker_type, updated_at, state, error_kind FROM launches
         WHERE updated_at >= $1 AND state = 'failed'
       UNION ALL
       SELECT worker_type, max(updated_at), 'submitted', NULL FROM launches
         WHERE updated_at >= $1 AND state = 'submitted' GROUP BY worker_type
       ORDER BY 2`,
      [since],
    );
    return rows.map((r) => ({
      workerType: r.worker_type,
      at: r.updated_at.getTime(),
      ok: r.state === 'submitted',
      errorKind: r.error_kind,
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

function summaryOf(row: Row): LaunchSummary {
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
