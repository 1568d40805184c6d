import type { Database, Queryable } from './database.js';
import type { ChangeListener } from './worker-type-store.js';

export interface PendingRemoval {
  workerType: string;
  requestedAt: number;
  /** The regions of the removed definition: where its key pairs live. */
  regions: string[];
  attempts: number;
  lastError: string | null;
}

/**
 * Cleanups that `removeWorkerType` queues for the loop (terminate everything of the worker type, delete its
 * key pairs). Written in the removal's own transaction, so a removal is never lost, even across restarts.
 */
export class RemovalStore {
  constructor(private readonly db: Database) {}

  /** Queues a cleanup when a worker type is removed (a later removal moves the cut-off forward). */
  readonly listener: ChangeListener = async (tx: Queryable, change) => {
    if (change.event !== 'removed') return;
    await tx.query(
      `INSERT INTO worker_type_removals (worker_type, requested_at, requested_by, regions) VALUES ($1, $2, $3, $4)
       ON CONFLICT (worker_type) DO UPDATE SET requested_at = EXCLUDED.requested_at,
         requested_by = EXCLUDED.requested_by,
         regions = (SELECT jsonb_agg(DISTINCT r) FROM jsonb_array_elements_text(worker_type_removals.regions || EXCLUDED.regions) r),
         attempts = 0, last_error = NULL`,
      [
        change.workerType,
        change.at,
        change.changedBy,
        JSON.stringify(change.definition.regions.map((r) => r.region)),
      ],
    );
  };

  async pending(): Promise<PendingRemoval[]> {
    const rows = await this.db.query<{
      worker_type: string;
      requested_at: Date;
      regions: string[];
      attempts: number;
      last_error: string | null;
    }>('SELECT * FROM worker_type_removals ORDER BY requested_at');
    return rows.map((r) => ({
      workerType: r.worker_type,
      requestedAt: r.requested_at.getTime(),
      regions: r.regions,
      attempts: r.attempts,
      lastError: r.last_error,
    }));
  }

  /** Marks the cleanup done, unless the worker type was removed again since `requestedAt`. */
  async finish(workerType: string, requestedAt: number): Promise<void> {
    await this.db.query('DELETE FROM worker_type_removals WHERE worker_type = $1 AND requested_at = $2', [
      workerType,
      new Date(requestedAt),
    ]);
  }

  async recordFailure(workerType: string, error: string): Promise<void> {
    await this.db.query(
      'UPDATE worker_type_removals SET attempts = attempts + 1, last_error = $2 WHERE worker_type = $1',
      [workerType, error.slice(0, 1000)],
    );
  }
}
