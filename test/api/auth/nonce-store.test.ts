import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DatabaseNonceStore } from '../../../src/api/auth/database-nonce-store.js';
import { MemoryNonceStore } from '../../../src/api/auth/memory-nonce-store.js';
import type { NonceStore } from '../../../src/api/auth/nonce-store.js';
import type { Database } from '../../../src/store/database.js';
import { engines, type TestDatabase } from '../../helpers/databases.js';
import { FixedClock } from './signing-client.js';

const MINUTE = 60_000;
// Far from the real time, so a row stamped by SQL now() instead of the Clock would show.
const START = Date.UTC(2001, 0, 1);
const TS = 978_307_200;

/** What every NonceStore must do; `fresh` gives an empty store on the given clock. */
function behavesAsNonceStore(fresh: (clock: FixedClock) => Promise<NonceStore>): void {
  let clock: FixedClock;
  let store: NonceStore;

  beforeEach(async () => {
    clock = new FixedClock(START);
    store = await fresh(clock);
  });

  it('answers false the first time and true on a replay', async () => {
    expect(await store.seen('client', 'n1', TS)).toBe(false);
    expect(await store.seen('client', 'n1', TS)).toBe(true);
  });

  it.each([
    ['another client', 'other', 'n1', TS],
    ['another nonce', 'client', 'n2', TS],
    ['another timestamp', 'client', 'n1', TS + 1],
  ])('treats %s as a different request', async (_name, clientId, nonce, ts) => {
    await store.seen('client', 'n1', TS);
    expect(await store.seen(clientId, nonce, ts)).toBe(false);
  });

  it('keeps a nonce for twice the skew (30 min), so a replay inside the window is caught', async () => {
    await store.seen('client', 'n1', TS);
    clock.advance(29 * MINUTE);
    expect(await store.seen('client', 'n1', TS)).toBe(true);
  });

  it('forgets a nonce after twice the skew, when no replay could pass the timestamp check', async () => {
    await store.seen('client', 'n1', TS);
    clock.advance(31 * MINUTE);
    expect(await store.seen('client', 'n1', TS)).toBe(false);
  });
}

describe('MemoryNonceStore', () => {
  behavesAsNonceStore(async (clock) => new MemoryNonceStore(clock));
});

describe.each(engines())('DatabaseNonceStore on $name', (engine) => {
  let test: TestDatabase;
  let db: Database;

  // One database per engine, emptied before each test: opening one per test costs seconds.
  beforeAll(async () => {
    test = await engine.open();
    db = test.db;
  });

  afterAll(async () => {
    await test.dispose();
  });

  beforeEach(async () => {
    await db.query('DELETE FROM hawk_nonces');
  });

  behavesAsNonceStore(async (clock) => new DatabaseNonceStore({ db, clock }));

  const nonces = async () =>
    (await db.query<{ nonce: string }>('SELECT nonce FROM hawk_nonces ORDER BY seen_at')).map((r) => r.nonce);

  it('stamps seen_at with the Clock, not the database clock', async () => {
    await new DatabaseNonceStore({ db, clock: new FixedClock(START) }).seen('client', 'n1', TS);
    const rows = await db.query<{ client_id: string; nonce: string; ts: number; seen_at: Date }>(
      'SELECT client_id, nonce, ts, seen_at FROM hawk_nonces',
    );
    expect(rows).toEqual([{ client_id: 'client', nonce: 'n1', ts: TS, seen_at: new Date(START) }]);
  });

  it('prunes old rows at most once per interval, not on every call', async () => {
    const clock = new FixedClock(START);
    const store = new DatabaseNonceStore({ db, clock, pruneIntervalMs: 60 * MINUTE });
    await store.seen('client', 'old', 1);
    clock.advance(31 * MINUTE);
    await store.seen('client', 'later', 2);
    // 'old' is past retention, but the last prune was less than an interval ago.
    expect(await nonces()).toEqual(['old', 'later']);
    clock.advance(30 * MINUTE);
    await store.seen('client', 'latest', 3);
    expect(await nonces()).toEqual(['later', 'latest']);
    clock.advance(MINUTE);
    expect(await store.prune()).toBe(1);
    expect(await nonces()).toEqual(['latest']);
  });

  it('lets exactly one of many concurrent uses of a nonce through, across store instances', async () => {
    // Separate instances stand in for replicas sharing the table.
    const clock = new FixedClock(START);
    const stores = Array.from({ length: 8 }, () => new DatabaseNonceStore({ db, clock }));
    const answers = await Promise.all(stores.map((store) => store.seen('client', 'race', TS)));
    expect(answers.filter((replayed) => !replayed)).toHaveLength(1);
  });
});
