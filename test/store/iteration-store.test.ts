import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IterationStore } from '../../src/store/iteration-store.js';
import { engines, type TestDatabase } from '../helpers/databases.js';

const at = (minutes: number) => new Date(Date.UTC(2026, 0, 1) + minutes * 60_000);

describe.each(engines())('IterationStore breakers on $name', (engine) => {
  let test: TestDatabase;
  let store: IterationStore;
  beforeAll(async () => {
    test = await engine.open();
    store = new IterationStore(test.db);
  });
  afterAll(() => test.dispose());

  it('saves a judgement only over the state it was judged from', async () => {
    const closed = { status: 'closed', since: 0, reason: null };
    const open = { status: 'open', since: 5, reason: '3 launches failed' };
    await store.saveBreakers([{ workerType: 'a', state: closed, loaded: undefined }], at(1));
    expect(await store.breakerOf('a')).toEqual(closed);
    // Judged from what is stored: saved.
    await store.saveBreakers([{ workerType: 'a', state: open, loaded: closed }], at(2));
    expect(await store.breakerOf('a')).toEqual(open);
    // Judged from a state that has since changed (a reset by an update): the stored one stays.
    const reset = { status: 'closed', since: 7, reason: null };
    await store.saveBreakers([{ workerType: 'a', state: reset, loaded: open }], at(3));
    await store.saveBreakers([{ workerType: 'a', state: { ...open, since: 8 }, loaded: open }], at(4));
    expect(await store.breakerOf('a')).toEqual(reset);
    // Judged from none, while one was stored meanwhile: the stored one stays.
    await store.saveBreakers([{ workerType: 'a', state: open, loaded: undefined }], at(5));
    expect(await store.breakerOf('a')).toEqual(reset);
  });
});
