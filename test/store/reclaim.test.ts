import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines, type TestDatabase } from '../helpers/databases.js';

// PostgreSQL's reclaim is autovacuum's job (a no-op here); PGlite has no autovacuum, so it must vacuum.
const pglite = engines().filter((engine) => engine.name === 'pglite');

describe.each(pglite)('reclaiming dead rows on $name', (engine) => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await engine.open({ migrated: false });
  });
  afterAll(() => test.dispose());

  async function churn(table: string, rounds: number, reclaim: boolean): Promise<number[]> {
    const { db } = test;
    await db.query(`CREATE TABLE ${table} (id int, payload text)`);
    const sizes: number[] = [];
    for (let round = 0; round < rounds; round++) {
      await db.query(`INSERT INTO ${table} SELECT g, repeat('x', 200) FROM generate_series(1, 2000) AS g`);
      await db.query(`DELETE FROM ${table}`);
      if (reclaim) await db.reclaim();
      const [row] = await db.query<{ size: number }>(`SELECT pg_relation_size('${table}')::int AS size`);
      sizes.push(row?.size ?? 0);
    }
    return sizes;
  }

  it('grows a table that keeps changing without it, and keeps it the same size with it', async () => {
    const without = await churn('churn_without', 5, false);
    expect(without[4]).toBeGreaterThanOrEqual(4 * (without[0] ?? 0));
    const withReclaim = await churn('churn_with', 5, true);
    expect(withReclaim[4]).toBeLessThanOrEqual(withReclaim[0] ?? 0);
  });
});
