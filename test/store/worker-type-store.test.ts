import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Queryable } from '../../src/store/database.js';
import { type WorkerTypeChange, WorkerTypeStore } from '../../src/store/worker-type-store.js';
import { exampleDefinition } from '../fixtures/worker-types.js';
import { engines, type TestDatabase } from '../helpers/databases.js';

const t0 = new Date('2026-01-01T00:00:00.000Z');
const later = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);

describe.each(engines())('WorkerTypeStore on $name', (engine) => {
  let test: TestDatabase;
  let store: WorkerTypeStore;
  const changes: WorkerTypeChange[] = [];

  beforeAll(async () => {
    test = await engine.open();
    const record = async (_tx: Queryable, change: WorkerTypeChange) => {
      changes.push(change);
    };
    store = new WorkerTypeStore(test.db, [record]);
  });
  afterAll(() => test.dispose());

  it('creates, reads back and lists a worker type', async () => {
    const { workerType, created } = await store.create('wt-create', exampleDefinition(), 'alice', t0);
    expect(created).toBe(true);
    expect(workerType).toMatchObject({
      workerType: 'wt-create',
      lastModified: t0.toISOString(),
      maxCapacity: 20,
    });
    expect(await store.get('wt-create')).toEqual(workerType);
    expect(await store.names()).toContain('wt-create');
  });

  it('accepts the same definition again, keeping its lastModified, and refuses a different one', async () => {
    await store.create('wt-idem', exampleDefinition(), 'alice', t0);
    const again = await store.create(
      'wt-idem',
      exampleDefinition({ description: 'ignored in comparison' }),
      'bob',
      later(5),
    );
    expect(again.created).toBe(false);
    expect(again.workerType.lastModified).toBe(t0.toISOString());
    await expect(
      store.create('wt-idem', exampleDefinition({ maxCapacity: 5 }), 'bob', later(6)),
    ).rejects.toMatchObject({
      code: 'RequestConflict',
      legacy: { error: 'WorkerType already exists with different definition' },
    });
    expect((await store.get('wt-idem'))?.maxCapacity).toBe(20);
  });

  it('tells whether a worker type is still as last modified, and holds changes until the asker commits', async () => {
    const { workerType } = await store.create('wt-current', exampleDefinition(), 'alice', t0);
    const current = (lastModified: string) =>
      test.db.transaction((tx) => store.isCurrent(tx, 'wt-current', lastModified));
    expect(await current(workerType.lastModified)).toBe(true);
    expect(await current(later(-1).toISOString())).toBe(false);
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let checked = () => {};
    const locked = new Promise<void>((resolve) => (checked = resolve));
    const asker = test.db.transaction(async (tx) => {
      expect(await store.isCurrent(tx, 'wt-current', workerType.lastModified)).toBe(true);
      checked();
      await held;
    });
    await locked;
    let updated = false;
    const update = store
      .update('wt-current', (d) => ({ ...d, maxCapacity: 3 }), 'bob', later(1))
      .then(() => {
        updated = true;
      });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(updated).toBe(false);
    release();
    await asker;
    await update;
    expect(await current(workerType.lastModified)).toBe(false);
    expect(await current(later(1).toISOString())).toBe(true);
    await store.remove('wt-current', 'carol', later(2));
    expect(await current(later(1).toISOString())).toBe(false);
  });

  it('updates, bumping lastModified and recording a version per change', async () => {
    await store.create('wt-update', exampleDefinition(), 'alice', t0);
    const updated = await store.update('wt-update', (d) => ({ ...d, maxCapacity: 15 }), 'bob', later(1));
    expect(updated).toMatchObject({ maxCapacity: 15, lastModified: later(1).toISOString() });
    const versions = await store.versions('wt-update');
    expect(versions.map((v) => [v.version, v.action, v.changedBy])).toEqual([
      [1, 'create', 'alice'],
      [2, 'update', 'bob'],
    ]);
    expect(versions[0]?.definition?.maxCapacity).toBe(20);
    expect(versions[1]?.definition?.maxCapacity).toBe(15);
  });

  it('rejects updating an unknown worker type with a 404 error', async () => {
    await expect(store.update('wt-nope', (d) => d, 'bob', t0)).rejects.toMatchObject({
      code: 'ResourceNotFound',
    });
  });

  it('never loses a write under concurrent updates', async () => {
    await store.create('wt-race', exampleDefinition({ scopes: [] }), 'alice', t0);
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        store.update(
          'wt-race',
          (d) => ({ ...d, scopes: [...d.scopes, `scope-${i}`] }),
          `client-${i}`,
          later(i),
        ),
      ),
    );
    const stored = await store.get('wt-race');
    expect(stored?.scopes).toHaveLength(12);
    expect(new Set(stored?.scopes).size).toBe(12);
    expect((await store.versions('wt-race')).map((v) => v.version)).toEqual(
      Array.from({ length: 13 }, (_, i) => i + 1),
    );
  });

  it('removes once, records the removal, and can roll back to an earlier version', async () => {
    await store.create('wt-remove', exampleDefinition(), 'alice', t0);
    await store.update('wt-remove', (d) => ({ ...d, maxCapacity: 3 }), 'alice', later(1));
    expect(await store.remove('wt-remove', 'carol', later(2))).toBe(true);
    expect(await store.remove('wt-remove', 'carol', later(3))).toBe(false);
    expect(await store.get('wt-remove')).toBeUndefined();
    const restored = await store.rollback('wt-remove', 1, 'dave', later(4));
    expect(restored).toMatchObject({ maxCapacity: 20, lastModified: later(4).toISOString() });
    const actions = (await store.versions('wt-remove')).map((v) => `${v.version}:${v.action}`);
    expect(actions).toEqual(['1:create', '2:update', '3:remove', '4:rollback']);
    await expect(store.rollback('wt-remove', 3, 'dave', later(5))).rejects.toMatchObject({
      code: 'RequestConflict',
    });
    await expect(store.rollback('wt-remove', 42, 'dave', later(5))).rejects.toMatchObject({
      code: 'ResourceNotFound',
    });
  });

  it('tells listeners about every committed change, and nothing about refused ones', async () => {
    changes.length = 0;
    await store.create('wt-events', exampleDefinition(), 'alice', t0);
    await store.create('wt-events', exampleDefinition(), 'alice', t0);
    await store.create('wt-events', exampleDefinition({ maxCapacity: 1 }), 'alice', t0).catch(() => {});
    await store.update('wt-events', (d) => d, 'alice', later(1));
    await store.remove('wt-events', 'alice', later(2));
    await store.remove('wt-events', 'alice', later(3));
    expect(changes.map((c) => c.action)).toEqual(['create', 'create', 'update', 'remove']);
  });

  it('rolls the whole change back when a listener fails', async () => {
    const failing = new WorkerTypeStore(test.db, [
      async () => {
        throw new Error('outbox unavailable');
      },
    ]);
    await expect(failing.create('wt-atomic', exampleDefinition(), 'alice', t0)).rejects.toThrow(
      'outbox unavailable',
    );
    expect(await store.get('wt-atomic')).toBeUndefined();
    expect(await store.versions('wt-atomic')).toEqual([]);
  });
});
