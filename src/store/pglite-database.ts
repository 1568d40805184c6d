import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { lockDataDir } from './data-dir-lock.js';
import type { Database, HeldLock, Queryable } from './database.js';
import { PgliteStatements } from './pglite-statements.js';

/** The embedded engine: PostgreSQL compiled to WASM, one connection, files under `dataDir`. */
export class PgliteDatabase implements Database {
  readonly engine = 'pglite' as const;
  private readonly locks = new Set<number>();
  private readonly statements: PgliteStatements;

  constructor(
    private readonly db: PGlite,
    /** Runs once the database is closed (releases its data directory). */
    private readonly onClose: () => Promise<void> = async () => {},
  ) {
    this.statements = new PgliteStatements(db);
  }

  /**
   * Takes PGlite's locks as its own `query` does: the transaction lock (waits for any open
   * transaction to end), then the query lock; then writes to the file system, as after any statement
   * outside a transaction. The `_runExclusive*` methods are typed but underscored: the tests in
   * pglite-statements.test.ts fail if an upgrade changes what they do.
   */
  async query<Row>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    await this.db._checkReady();
    return this.db._runExclusiveTransaction(() =>
      this.db._runExclusiveQuery(async () => {
        const rows = await this.statements.run<Row>(sql, params, true);
        await this.db.syncToFs();
        return rows;
      }),
    );
  }

  /** Inside PGlite's transaction (which holds the transaction lock), statements take the query lock. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) =>
      work({
        query: <Row>(sql: string, params: readonly unknown[] = []) => {
          if (tx.closed) return Promise.reject(new Error('Transaction is closed'));
          return this.db._runExclusiveQuery(() => this.statements.run<Row>(sql, params, false));
        },
      }),
    );
  }

  /** One connection means one process: a lock only has to exclude this process's other callers. */
  async tryLock(key: number): Promise<HeldLock | null> {
    if (this.locks.has(key)) return null;
    this.locks.add(key);
    const lost = new AbortController();
    return {
      // One process, one session.
      query: (sql, params) => this.query(sql, params),
      isHeld: () => !lost.signal.aborted,
      lost: lost.signal,
      release: async () => {
        lost.abort(new Error('the lock was released'));
        this.locks.delete(key);
      },
    };
  }

  /** Plain VACUUM (not FULL): marks dead rows reusable without locking anyone out. */
  async reclaim(): Promise<void> {
    await this.db.exec('VACUUM');
  }

  async close(): Promise<void> {
    if (this.db.closed) return;
    await this.db.close();
    await this.onClose();
  }
}

/**
 * Opens (creating if needed) a PGlite database in `dataDir`, or in memory when it is undefined. A data
 * directory is this process's alone (`lockDataDir`) until the database is closed.
 */
export async function openPgliteDatabase(dataDir?: string): Promise<PgliteDatabase> {
  if (!dataDir) return new PgliteDatabase(await PGlite.create());
  await mkdir(dataDir, { recursive: true });
  const release = await lockDataDir(dataDir);
  try {
    return new PgliteDatabase(await PGlite.create(dataDir), release);
  } catch (error) {
    await release();
    throw error;
  }
}
