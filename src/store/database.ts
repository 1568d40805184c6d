/** The one small port every store goes through; PostgreSQL and PGlite both implement it. */
export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
}

/**
 * A held lock. Its `query` runs on the lock's own session: a statement that runs at all runs while the lock
 * is held (a session that ended runs no more statements), however late it reaches the server.
 */
export interface HeldLock extends Queryable {
  /** False once the lock is known to be lost (for PostgreSQL: its session ended). */
  isHeld(): boolean;
  /** Aborts when the lock is known to be lost or is released: work done under it should stop. */
  readonly lost: AbortSignal;
  release(): Promise<void>;
}

export interface Database extends Queryable {
  readonly engine: 'postgres' | 'pglite';
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /** A session-level advisory lock, held until released or the session dies (leader election). */
  tryLock(key: number): Promise<HeldLock | null>;
  /**
   * Makes the space of deleted and updated rows reusable. PostgreSQL's autovacuum does it by itself;
   * PGlite has no background workers, so without this its tables (and memory) grow for ever.
   */
  reclaim(): Promise<void>;
  close(): Promise<void>;
}
