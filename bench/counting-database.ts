import type { Database, HeldLock, Queryable } from '../src/store/database.js';

/**
 * A Database that counts the calls in flight (a query, a whole transaction, a lock attempt), so a
 * virtual-time driver can tell a loop waiting on the database from one waiting on the clock.
 */
export class CountingDatabase implements Database {
  /** Calls in flight now. */
  inFlight = 0;
  /** Calls made so far (a transaction counts once, however many queries it runs). */
  calls = 0;

  constructor(private readonly inner: Database) {}

  get engine(): Database['engine'] {
    return this.inner.engine;
  }

  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]> {
    return this.counted(() => this.inner.query<Row>(sql, params));
  }

  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.counted(() => this.inner.transaction(work));
  }

  tryLock(key: number): Promise<HeldLock | null> {
    return this.counted(() => this.inner.tryLock(key));
  }

  reclaim(): Promise<void> {
    return this.counted(() => this.inner.reclaim());
  }

  close(): Promise<void> {
    return this.counted(() => this.inner.close());
  }

  private async counted<T>(call: () => Promise<T>): Promise<T> {
    this.inFlight += 1;
    this.calls += 1;
    try {
      return await call();
    } finally {
      this.inFlight -= 1;
    }
  }
}
