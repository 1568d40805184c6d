import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPgliteDatabase, type PgliteDatabase } from '../../src/store/pglite-database.js';
import { PgliteStatements } from '../../src/store/pglite-statements.js';

// The prepared-statement path must give exactly what PGlite's own query gives, for every kind of
// value our stores send and read back; these compare the two on one database.
describe('PgliteStatements', () => {
  let pglite: PGlite;
  let statements: PgliteStatements;

  beforeAll(async () => {
    pglite = await PGlite.create();
    statements = new PgliteStatements(pglite);
    await pglite.exec(`CREATE TABLE kinds (
      id text PRIMARY KEY, n integer, big bigint, price double precision, flag boolean,
      doc jsonb, tags text[], at timestamptz, note text)`);
  });
  afterAll(() => pglite.close());

  const run = <Row>(sql: string, params: readonly unknown[] = []) =>
    pglite._runExclusiveQuery(() => statements.run<Row>(sql, params, true));

  const rows: [string, unknown[]][] = [
    [
      'every kind',
      [
        'a',
        7,
        9_007_199_254_740_993n,
        0.0416,
        true,
        { b: [1, 'x'] },
        ['p', 'q r'],
        new Date('2026-12-02T10:00:00.123Z'),
        'ü €',
      ],
    ],
    ['nulls', ['b', null, null, null, null, null, null, null, null]],
    ['undefined as null, empty array, false', ['c', undefined, 0, -1.5, false, [], [], new Date(0), '']],
    [
      'quotes and commas in arrays',
      ['d', -3, 1, 1e-9, true, '{"given":"as JSON text"}', ['a,b', '"q"', '{x}'], new Date(1e12), "it's"],
    ],
  ];

  it.each(rows)('writes and reads back %s as PGlite query does', async (_label, values) => {
    await run(
      'INSERT INTO kinds (id, n, big, price, flag, doc, tags, at, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
      values,
    );
    const id = values[0];
    const mine = await run('SELECT * FROM kinds WHERE id = $1', [id]);
    const theirs = (await pglite.query('SELECT * FROM kinds WHERE id = $1', [id])).rows;
    expect(mine).toEqual(theirs);
    expect(mine).toHaveLength(1);
  });

  it('binds arrays to ANY($1::text[]) and returns nothing for a statement without rows', async () => {
    const found = await run<{ id: string }>('SELECT id FROM kinds WHERE id = ANY($1::text[]) ORDER BY id', [
      ['a', 'c', 'zz'],
    ]);
    expect(found).toEqual([{ id: 'a' }, { id: 'c' }]);
    expect(await run('UPDATE kinds SET n = n + 1 WHERE id = $1', ['a'])).toEqual([]);
    expect(await run<{ n: number }>('SELECT n FROM kinds WHERE id = $1', ['a'])).toEqual([{ n: 8 }]);
  });

  it('names the statement on an error but never its parameters, and the next statement runs', async () => {
    const failure = await run('INSERT INTO kinds (id, note) VALUES ($1, $2)', [
      'a',
      'secret-token-value',
    ]).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: '23505', query: 'INSERT INTO kinds (id, note) VALUES ($1, $2)' });
    expect(JSON.stringify(failure)).not.toContain('secret-token-value');
    expect((failure as { params?: unknown }).params).toBeUndefined();
    expect(await run<{ id: string }>('SELECT id FROM kinds WHERE id = $1', ['a'])).toEqual([{ id: 'a' }]);
  });

  it('does not keep a text that fails to parse, and says where it failed', async () => {
    const before = statements.size;
    await expect(run('SELEC id FROM kinds')).rejects.toMatchObject({
      code: '42601',
      query: 'SELEC id FROM kinds',
    });
    expect(statements.size).toBe(before);
    await expect(run('SELECT $1::int + 1 AS n', ['not a number'])).rejects.toMatchObject({ code: '22P02' });
    expect(await run('SELECT $1::int + 1 AS n', [41])).toEqual([{ n: 42 }]);
  });

  it('prepares a text again when the columns of its result changed under it', async () => {
    await run('CREATE TABLE shifting (id int)');
    await run('INSERT INTO shifting VALUES (1)');
    expect(await run('SELECT * FROM shifting')).toEqual([{ id: 1 }]);
    await run('ALTER TABLE shifting ADD COLUMN label text');
    expect(await run('SELECT * FROM shifting')).toEqual([{ id: 1, label: null }]);
  });

  it('keeps at most 256 texts prepared and still runs every text past that', async () => {
    for (let i = 0; i < 300; i++) {
      expect(await run<{ n: number }>(`SELECT $1::int + ${i} AS n`, [1])).toEqual([{ n: i + 1 }]);
    }
    expect(statements.size).toBe(256);
  });
});

describe('PgliteDatabase with prepared statements', () => {
  let db: PgliteDatabase;

  beforeAll(async () => {
    db = await openPgliteDatabase();
    await db.query('CREATE TABLE items (id text PRIMARY KEY)');
  });
  afterAll(() => db.close());

  it('holds a statement outside a transaction until the open transaction ends (it is not rolled back with it)', async () => {
    let outside: Promise<unknown> = Promise.resolve();
    const rolledBack = db.transaction(async (tx) => {
      await tx.query('INSERT INTO items VALUES ($1)', ['inside']);
      outside = db.query('INSERT INTO items VALUES ($1)', ['outside']);
      await new Promise((resolve) => setTimeout(resolve, 20));
      throw new Error('abandon the transaction');
    });
    await expect(rolledBack).rejects.toThrow('abandon the transaction');
    await outside;
    expect(await db.query('SELECT id FROM items ORDER BY id')).toEqual([{ id: 'outside' }]);
  });

  it('rolls a transaction back whole when one of its statements fails', async () => {
    const failed = db.transaction(async (tx) => {
      await tx.query('INSERT INTO items VALUES ($1)', ['half']);
      await tx.query('INSERT INTO items VALUES ($1)', ['outside']);
    });
    await expect(failed).rejects.toMatchObject({ code: '23505' });
    expect(await db.query('SELECT id FROM items ORDER BY id')).toEqual([{ id: 'outside' }]);
  });

  it('fails a statement whose result changed under it inside a transaction, then runs it afresh outside', async () => {
    await db.query('CREATE TABLE widening (id int)');
    expect(await db.query('SELECT * FROM widening')).toEqual([]);
    await db.query('ALTER TABLE widening ADD COLUMN label text');
    await db.query('INSERT INTO widening VALUES (1, $1)', ['one']);
    const inside = db.transaction((tx) => tx.query('SELECT * FROM widening'));
    await expect(inside).rejects.toMatchObject({ code: '0A000' });
    expect(await db.query('SELECT * FROM widening')).toEqual([{ id: 1, label: 'one' }]);
  });

  it('refuses a statement on a transaction that has ended', async () => {
    let leaked: { query(sql: string): Promise<unknown> } | undefined;
    await db.transaction(async (tx) => {
      leaked = tx;
    });
    await expect(leaked?.query('SELECT 1')).rejects.toThrow('Transaction is closed');
  });

  it('refuses a statement once closed (the last test: it closes the shared database)', async () => {
    await db.close();
    await expect(db.query('SELECT 1')).rejects.toThrow('PGlite is closed');
  });
});
