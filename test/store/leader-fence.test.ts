import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeaderFence } from '../../src/store/leader-fence.js';
import { engines, type TestDatabase } from '../helpers/databases.js';

describe.each(engines())('LeaderFence on $name', (engine) => {
  let test: TestDatabase;

  beforeAll(async () => {
    test = await engine.open();
  });
  afterAll(() => test.dispose());

  const holds = (fence: LeaderFence) => test.db.transaction((tx) => fence.holds(tx));

  it('holds until another leadership begins; one that never claimed always holds', async () => {
    const first = new LeaderFence();
    const second = new LeaderFence();
    const unclaimed = new LeaderFence();
    await first.claim(test.db);
    expect(await holds(first)).toBe(true);
    await second.claim(test.db);
    expect(await holds(first)).toBe(false);
    expect(await holds(second)).toBe(true);
    expect(await holds(unclaimed)).toBe(true);
    await first.claim(test.db);
    expect(await holds(first)).toBe(true);
    expect(await holds(second)).toBe(false);
  });

  it("makes the next claim wait for a transaction that checked, so it sees that transaction's writes", async () => {
    const old = new LeaderFence();
    const next = new LeaderFence();
    await old.claim(test.db);
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let checked = () => {};
    const inside = new Promise<void>((resolve) => (checked = resolve));
    const recording = test.db.transaction(async (tx) => {
      expect(await old.holds(tx)).toBe(true);
      checked();
      await held;
    });
    await inside;
    let claimed = false;
    const claim = next.claim(test.db).then(() => {
      claimed = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(claimed).toBe(false);
    release();
    await recording;
    await claim;
    expect(await holds(old)).toBe(false);
  });
});

describe.runIf(engines().some((e) => e.name === 'postgres'))(
  'LeaderFence on the lock session (PostgreSQL)',
  () => {
    it('claims only while the lock session lives: a claim arriving after it ended never runs', async () => {
      const postgres = engines().find((e) => e.name === 'postgres');
      const test = await (postgres as NonNullable<typeof postgres>).open();
      try {
        const fence = new LeaderFence();
        const lock = await test.db.tryLock(4244);
        if (!lock) throw new Error('expected the lock');
        await fence.claim(lock);
        expect(await test.db.transaction((tx) => fence.holds(tx))).toBe(true);
        await lock.release();
        const other = new LeaderFence();
        await other.claim(test.db);
        // The former leader's late claim cannot take the epoch back from the one that followed.
        await expect(fence.claim(lock)).rejects.toThrow();
        expect(await test.db.transaction((tx) => other.holds(tx))).toBe(true);
      } finally {
        await test.dispose();
      }
    });
  },
);
