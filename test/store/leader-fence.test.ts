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
    const first = new LeaderFence(test.db);
    const second = new LeaderFence(test.db);
    const unclaimed = new LeaderFence(test.db);
    await first.claim();
    expect(await holds(first)).toBe(true);
    await second.claim();
    expect(await holds(first)).toBe(false);
    expect(await holds(second)).toBe(true);
    expect(await holds(unclaimed)).toBe(true);
    await first.claim();
    expect(await holds(first)).toBe(true);
    expect(await holds(second)).toBe(false);
  });

  it("makes the next claim wait for a transaction that checked, so it sees that transaction's writes", async () => {
    const old = new LeaderFence(test.db);
    const next = new LeaderFence(test.db);
    await old.claim();
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
    const claim = next.claim().then(() => {
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
