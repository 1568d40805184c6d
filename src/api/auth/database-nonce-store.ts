import type { Clock } from '../../clock/clock.js';
import type { Database } from '../../store/database.js';
import { type NonceStore, nonceRetentionMs } from './nonce-store.js';

export interface DatabaseNonceStoreOptions {
  db: Database;
  clock: Clock;
  timestampSkewSec?: number;
  /** Old rows are deleted at most this often (by this replica), not on every request. */
  pruneIntervalMs?: number;
}

/**
 * Nonces in the shared `hawk_nonces` table, so a request replayed against another replica is caught too.
 * The insert itself decides (primary key + ON CONFLICT DO NOTHING), which is atomic across replicas.
 */
export class DatabaseNonceStore implements NonceStore {
  private readonly db: Database;
  private readonly clock: Clock;
  private readonly retentionMs: number;
  private readonly pruneIntervalMs: number;
  private lastPrunedAt = Number.NEGATIVE_INFINITY;

  constructor(options: DatabaseNonceStoreOptions) {
    this.db = options.db;
    this.clock = options.clock;
    this.retentionMs = nonceRetentionMs(options.timestampSkewSec ?? 900);
    this.pruneIntervalMs = options.pruneIntervalMs ?? 60_000;
  }

  async seen(clientId: string, nonce: string, ts: number): Promise<boolean> {
    const now = this.clock.now();
    if (now - this.lastPrunedAt >= this.pruneIntervalMs) await this.prune(now);
    const inserted = await this.db.query(
      `INSERT INTO hawk_nonces (client_id, nonce, ts, seen_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING RETURNING 1 AS inserted`,
      [clientId, nonce, ts, new Date(now)],
    );
    return inserted.length === 0;
  }

  /** Deletes rows no replay could still use; returns how many went. */
  async prune(now = this.clock.now()): Promise<number> {
    this.lastPrunedAt = now;
    const [row] = await this.db.query<{ deleted: number }>(
      `WITH gone AS (DELETE FROM hawk_nonces WHERE seen_at < $1 RETURNING 1)
       SELECT count(*)::int AS deleted FROM gone`,
      [new Date(now - this.retentionMs)],
    );
    return row?.deleted ?? 0;
  }
}
