import { afterEach, describe, expect, it } from 'vitest';
import { RealClock } from '../../src/clock/clock.js';
import { createLogger } from '../../src/log/logger.js';
import { LEADER_LOCK_KEY, LoopRunner } from '../../src/provisioner/loop-runner.js';
import { engines, type TestDatabase } from '../helpers/databases.js';

const postgres = engines().find((e) => e.name === 'postgres');

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** What every runner here shares: the real clock, a silent log, a minute's interval and time limit. */
function runnerBasics(test: TestDatabase) {
  return {
    db: test.db,
    clock: new RealClock(),
    logger: createLogger('silent'),
    intervalMs: 60_000,
    maxIterationMs: 60_000,
  };
}

/** A runner whose iterations last until their signal aborts, noting why it did. */
function blockingRunner(test: TestDatabase) {
  const seen = { leaderships: 0, lost: 0, started: 0, aborts: [] as string[] };
  const runner = new LoopRunner({
    ...runnerBasics(test),
    standbyPollMs: 50,
    onLeadership: () => {
      seen.leaderships++;
    },
    onLeadershipLost: () => {
      seen.lost++;
    },
    iterate: (signal) => {
      seen.started++;
      return new Promise((_, reject) =>
        signal.addEventListener('abort', () => {
          seen.aborts.push(String((signal.reason as Error).message));
          reject(signal.reason);
        }),
      );
    },
  });
  return { runner, seen };
}

describe.runIf(postgres !== undefined)('the loop runner on PostgreSQL', () => {
  let test: TestDatabase | undefined;
  const runners: LoopRunner[] = [];
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((r) => r.stop()));
    await test?.dispose();
  });

  it('aborts the running iteration when its leader lock is lost, and the standby takes over', async () => {
    test = await (postgres as NonNullable<typeof postgres>).open();
    const first = blockingRunner(test);
    runners.push(first.runner);
    first.runner.start();
    await until(() => first.seen.started === 1, 'the first iteration');
    expect(first.seen.leaderships).toBe(1);
    const second = blockingRunner(test);
    runners.push(second.runner);
    second.runner.start();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(second.seen.started).toBe(0);

    // The lock's session dies (a restarted server, a network cut, an operator's pg_terminate_backend).
    const terminated = await test.db.query<{ ok: boolean }>(
      `SELECT pg_terminate_backend(pid) AS ok FROM pg_locks
       WHERE locktype = 'advisory' AND objid = $1 AND granted
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [LEADER_LOCK_KEY],
    );
    expect(terminated).toEqual([{ ok: true }]);

    await until(() => first.seen.aborts.length === 1, 'the first iteration to abort');
    expect(first.seen.aborts).toEqual(['the leader lock was lost: its database session ended']);
    expect(first.seen.lost).toBe(1);
    await until(() => second.seen.started === 1, 'the standby to take over');
    expect(second.seen.leaderships).toBe(1);
    expect(first.runner.isLeader).toBe(false);
  });
});

describe('the loop runner', () => {
  it('starts no iteration when asked to stop while becoming leader, and lets the lock go', async () => {
    const [pglite] = engines();
    const test = await (pglite as NonNullable<typeof pglite>).open();
    let stopAsked = () => {};
    const stopping = new Promise<void>((resolve) => (stopAsked = resolve));
    let started = 0;
    const runner = new LoopRunner({
      ...runnerBasics(test),
      // Becoming leader takes until the stop is asked.
      onLeadership: () => stopping,
      iterate: async () => {
        started++;
      },
    });
    try {
      runner.start();
      await new Promise((resolve) => setTimeout(resolve, 50));
      const stopped = runner.stop();
      stopAsked();
      await stopped;
      expect(started).toBe(0);
      expect(await test.db.tryLock(LEADER_LOCK_KEY)).not.toBeNull();
    } finally {
      await test.dispose();
    }
  });

  it('lets an iteration run many concurrent calls on its signal without a listener-leak warning', async () => {
    const [pglite] = engines();
    const test = await (pglite as NonNullable<typeof pglite>).open();
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    let iterated = () => {};
    const done = new Promise<void>((resolve) => (iterated = resolve));
    const runner = new LoopRunner({
      ...runnerBasics(test),
      // Like 3 regions' 8 EC2 calls in flight each: every call listens for the abort until it ends.
      iterate: async (signal) => {
        const listeners = Array.from({ length: 24 }, () => () => {});
        for (const listener of listeners) signal.addEventListener('abort', listener);
        await new Promise((resolve) => setTimeout(resolve, 10));
        for (const listener of listeners) signal.removeEventListener('abort', listener);
        iterated();
      },
    });
    try {
      runner.start();
      await done;
      await new Promise((resolve) => setTimeout(resolve, 10)); // warnings are emitted on a later tick
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
      await runner.stop();
      await test.dispose();
    }
  });
});
