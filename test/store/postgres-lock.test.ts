import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RealClock } from '../../src/clock/clock.js';
import { createLogger } from '../../src/log/logger.js';
import { lockHeartbeatMs } from '../../src/main.js';
import { LoopRunner } from '../../src/provisioner/loop-runner.js';
import { PostgresDatabase } from '../../src/store/postgres-database.js';
import { engines, type TestDatabase } from '../helpers/databases.js';

const postgres = engines().find((e) => e.name === 'postgres');

/** A TCP relay to the server that can go silent: no error, no close, as when a network path dies. */
async function relay(target: URL) {
  const sockets: Socket[] = [];
  let silent = false;
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    sockets.push(client, upstream);
    client.on('data', (chunk) => silent || upstream.write(chunk));
    upstream.on('data', (chunk) => silent || client.write(chunk));
    client.on('error', () => {});
    upstream.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    goSilent: () => {
      silent = true;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe.runIf(postgres !== undefined)('the leader lock on PostgreSQL', () => {
  let test: TestDatabase | undefined;
  afterEach(() => test?.dispose());

  it('counts as lost when its session stops answering, though the connection never closes, and is freed', async () => {
    test = await (postgres as NonNullable<typeof postgres>).open();
    const target = new URL(test.url as string);
    const path = await relay(target);
    const viaRelay = new URL(target);
    viaRelay.hostname = '127.0.0.1';
    viaRelay.port = String(path.port);
    const db = new PostgresDatabase(viaRelay.toString(), 2, 100);
    try {
      const lock = await db.tryLock(4242);
      expect(lock?.isHeld()).toBe(true);
      // Answers keep coming: still held after several heartbeats.
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(lock?.isHeld()).toBe(true);
      path.goSilent();
      const started = Date.now();
      // Without the heartbeat it would stay held until TCP keepalive gave up, minutes from now.
      while (lock?.isHeld() && Date.now() - started < 5_000) await new Promise((r) => setTimeout(r, 20));
      expect(lock?.isHeld()).toBe(false);
      expect(lock?.lost.aborted).toBe(true);
      // And the server, hearing nothing either, ends the session: another process can lead.
      const standby = new PostgresDatabase(target.toString(), 1, 100);
      try {
        let taken = await standby.tryLock(4242);
        while (!taken && Date.now() - started < 10_000) {
          await new Promise((r) => setTimeout(r, 50));
          taken = await standby.tryLock(4242);
        }
        expect(taken?.isHeld()).toBe(true);
        await taken?.release();
      } finally {
        await standby.close();
      }
    } finally {
      await path.close();
      await db.close().catch(() => {});
    }
  });
});

describe('the leader lock against a server that accepts connections and never answers', () => {
  it('gives up within a heartbeat, so neither a standby nor a shutdown waits for ever', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const db = new PostgresDatabase(`postgres://postgres@127.0.0.1:${port}/postgres`, 1, 200);
    const runner = new LoopRunner({
      db,
      clock: new RealClock(),
      logger: createLogger('silent'),
      intervalMs: 60_000,
      maxIterationMs: 60_000,
      standbyPollMs: 50,
      iterate: async () => {},
    });
    try {
      const started = Date.now();
      await expect(db.tryLock(4243)).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(5_000);
      runner.start();
      await new Promise((resolve) => setTimeout(resolve, 100));
      const stopping = Date.now();
      await runner.stop();
      expect(Date.now() - stopping).toBeLessThan(5_000);
      expect(runner.isLeader).toBe(false);
    } finally {
      silent.close();
      await db.close().catch(() => {});
    }
  });
});

describe.runIf(postgres !== undefined)('statements on PostgreSQL', () => {
  it('are cancelled by the server after the statement timeout (an iteration cannot hang on one)', async () => {
    const test = await (postgres as NonNullable<typeof postgres>).open();
    const db = new PostgresDatabase(test.url as string, 1, 10_000, 200);
    try {
      await expect(db.query('SELECT pg_sleep(2)')).rejects.toThrow(/statement timeout/);
      await expect(db.transaction((tx) => tx.query('SELECT pg_sleep(2)'))).rejects.toThrow(
        /statement timeout/,
      );
      expect(await db.query<{ one: number }>('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    } finally {
      await db.close();
      await test.dispose();
    }
  });
});

describe('lockHeartbeatMs', () => {
  // Three silent heartbeats end the session; standbys try every half interval: takeover within one interval.
  it.each([
    [60_000, 10_000],
    [30_000, 5_000],
    [12_000, 2_000],
    [5_000, 2_000],
    [600_000, 10_000],
  ])('an interval of %i ms beats every %i ms', (interval, heartbeat) => {
    expect(lockHeartbeatMs(interval)).toBe(heartbeat);
    if (interval >= 12_000) expect(3 * heartbeat + interval / 2).toBeLessThanOrEqual(interval);
  });
});
