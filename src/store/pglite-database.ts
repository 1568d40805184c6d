import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import type { Database, HeldLock, Queryable } from './database.js';

/** The embedded engine: PostgreSQL compiled to WASM, one connection, files under `dataDir`. */
export class PgliteDatabase implements Database {
  readonly engine = 'pglite' as const;
  private readonly locks = new Set<number>();

  constructor(private readonly db: PGlite) {}

  async query<Row>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    const result = await this.db.query<Row>(sql, [...params]);
    return result.rows;
  }

  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) =>
      work({
        query: async <Row>(sql: string, params: readonly unknown[] = []) =>
          (await tx.query<Row>(sql, [...params])).rows,
      }),
    );
  }

  /** One connection means one process: a lock only has to exclude this process's other callers. */
  async tryLock(key: number): Promise<HeldLock | null> {
    if (this.locks.has(key)) return null;
    this.locks.add(key);
    let held = true;
    return {
      isHeld: () => held,
      release: async () => {
        held = false;
        this.locks.delete(key);
      },
    };
  }

  /** Plain VACUUM (not FULL): marks dead rows reusable without locking anyone out. */
  async reclaim(): Promise<void> {
    await this.db.exec('VACUUM');
  }

  async close(): Promise<void> {
    if (!this.db.closed) await this.db.close();
  }
}

/** Opens (creating if needed) a PGlite database in `dataDir`, or in memory when it is undefined. */
export async function openPgliteDatabase(dataDir?: string): Promise<PgliteDatabase> {
  if (dataDir) await mkdir(dataDir, { recursive: true });
  const db = dataDir ? await PGlite.create(dataDir) : await PGlite.create();
  return new PgliteDatabase(db);
}
