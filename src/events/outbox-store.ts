import type { Database, Queryable } from '../store/database.js';
import type { ExchangeName } from './exchanges.js';

/** A row waiting to be published. */
export interface OutboxRow {
  id: number;
  exchange: ExchangeName;
  routingKey: string;
  payload: unknown;
}

/** Advisory lock key that serialises draining across every replica sharing a database. */
export const OUTBOX_DRAIN_LOCK_KEY = 72_520_006;

/** The outbox table as the publisher sees it. */
export class OutboxStore {
  constructor(private readonly db: Database) {}

  /**
   * Runs `work` as the only drainer of the outbox, across processes; resolves to undefined without
   * running it when another drainer is at work (it drains what this one would have).
   */
  async whileDraining<T>(work: (q: Queryable) => Promise<T>): Promise<T | undefined> {
    if (this.db.engine === 'pglite') {
      // One process owns a PGlite database; a transaction would hold its only connection (and so every
      // API query) while the broker confirms, so lock in-process and mark rows outside a transaction.
      const lock = await this.db.tryLock(OUTBOX_DRAIN_LOCK_KEY);
      if (!lock) return undefined;
      try {
        return await work(this.db);
      } finally {
        await lock.release();
      }
    }
    // The lock ends with the transaction, also when this process dies mid-batch (the batch is resent).
    return this.db.transaction(async (tx) => {
      const rows = await tx.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [
        OUTBOX_DRAIN_LOCK_KEY,
      ]);
      return rows[0]?.locked ? work(tx) : undefined;
    });
  }

  /** The oldest unpublished rows, in id order (commit order for any one worker type). */
  async unpublished(q: Queryable, limit: number): Promise<OutboxRow[]> {
    const rows = await q.query<{ id: number; exchange: ExchangeName; routing_key: string; payload: unknown }>(
      'SELECT id, exchange, routing_key, payload FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT $1',
      [limit],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      exchange: r.exchange,
      routingKey: r.routing_key,
      payload: r.payload,
    }));
  }

  /** Marks exactly these rows (never a range: a lower id may commit later and still be unsent). */
  async markPublished(q: Queryable, ids: readonly number[], now: Date): Promise<void> {
    if (ids.length === 0) return;
    await q.query(
      `UPDATE outbox SET published_at = $2
       WHERE id IN (SELECT (jsonb_array_elements_text($1::jsonb))::bigint) AND published_at IS NULL`,
      [JSON.stringify(ids), now],
    );
  }

  /** Rows not yet published. */
  async backlog(): Promise<number> {
    const rows = await this.db.query<{ n: number }>(
      'SELECT count(*)::integer AS n FROM outbox WHERE published_at IS NULL',
    );
    return Number(rows[0]?.n ?? 0);
  }

  /**
   * Deletes rows published before `before`; with `includeUnpublished` (no broker configured, so nothing
   * will ever publish them) also unpublished rows created before it. Returns how many went.
   */
  async prune(before: Date, includeUnpublished: boolean): Promise<number> {
    const rows = await this.db.query<{ n: number }>(
      `WITH gone AS (
         DELETE FROM outbox
         WHERE (published_at IS NOT NULL AND published_at < $1) OR ($2 AND published_at IS NULL AND created_at < $1)
         RETURNING 1)
       SELECT count(*)::integer AS n FROM gone`,
      [before, includeUnpublished],
    );
    return Number(rows[0]?.n ?? 0);
  }
}
