import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/store/database.js';
import { engines, type TestDatabase } from '../helpers/databases.js';
import { type LoopHarness, startLoopHarness } from '../helpers/loop-harness.js';

const [pglite] = engines();
const engine = pglite as NonNullable<typeof pglite>;

/** The test database, counting `reclaim` calls. */
function countingReclaims(inner: TestDatabase): TestDatabase & { reclaims: () => number } {
  let reclaims = 0;
  const db: Database = {
    engine: inner.db.engine,
    query: (sql, params) => inner.db.query(sql, params),
    transaction: (work) => inner.db.transaction(work),
    tryLock: (key) => inner.db.tryLock(key),
    reclaim: async () => {
      reclaims += 1;
      await inner.db.reclaim();
    },
    close: () => inner.db.close(),
  };
  return { db, dispose: inner.dispose, reclaims: () => reclaims };
}

describe('the provisioning loop keeps its own history bounded', () => {
  let h: LoopHarness | undefined;
  let database: (TestDatabase & { reclaims: () => number }) | undefined;
  afterEach(async () => {
    await h?.close();
    await database?.dispose();
    h = undefined;
  });

  it('prunes snapshots past HISTORY_RETENTION and reclaims the space, hourly', async () => {
    database = countingReclaims(await engine.open());
    h = await startLoopHarness(engine, { database, env: { HISTORY_RETENTION: '1' } });
    await h.define('kept-short');
    const snapshotsAt = async (at: number) =>
      (
        await database?.db.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM worker_type_snapshots WHERE at = $1',
          [new Date(at)],
        )
      )?.[0]?.n;
    const first = h.clock.now();
    await h.iterate(1, 30 * 60_000);
    expect(await snapshotsAt(first)).toBe(1);
    expect(database.reclaims()).toBe(1);
    // 59 more iterations, half an hour apart: the first snapshot is now older than a day, but kept until
    // the next hourly (every 60 iterations) pruning.
    await h.iterate(59, 30 * 60_000);
    expect(await snapshotsAt(first)).toBe(1);
    expect(database.reclaims()).toBe(1);
    await h.iterate(1);
    expect(await snapshotsAt(first)).toBe(0);
    expect(database.reclaims()).toBe(2);
  });
});
