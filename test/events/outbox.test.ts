import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock/virtual-clock.js';
import { InvalidEventError } from '../../src/events/event-message.js';
import { OutboxPublisher } from '../../src/events/outbox-publisher.js';
import { OutboxStore } from '../../src/events/outbox-store.js';
import { enqueue, OutboxWriter } from '../../src/events/outbox-writer.js';
import { createLogger } from '../../src/log/logger.js';
import { WorkerTypeStore } from '../../src/store/worker-type-store.js';
import { exampleDefinition } from '../fixtures/worker-types.js';
import { engines, type TestDatabase } from '../helpers/databases.js';
import { waitUntil } from './pulse-consumer.js';

const HOUR = 3_600_000;
const t0 = new Date('2026-01-01T00:00:00.000Z');
const later = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);

interface OutboxRecord {
  id: number;
  exchange: string;
  routing_key: string;
  payload: unknown;
  created_at: Date;
  published_at: Date | null;
}

/** One database per engine for the writer and the store (opening one is the slow part). */
describe.each(engines())('outbox on $name', (engine) => {
  let test: TestDatabase;
  const outbox = () => test.db.query<OutboxRecord>('SELECT * FROM outbox ORDER BY id');

  beforeAll(async () => {
    test = await engine.open();
  });
  afterAll(() => test.dispose());
  beforeEach(async () => {
    await test.db.query('DELETE FROM outbox');
  });

  describe('writer', () => {
    const logLines: Record<string, unknown>[] = [];
    let wakeUps = 0;
    const writer = new OutboxWriter({
      logger: createLogger('info', { write: (line: string) => logLines.push(JSON.parse(line)) }),
      onEnqueued: () => {
        wakeUps++;
      },
    });

    beforeEach(() => {
      logLines.length = 0;
      wakeUps = 0;
    });

    it('writes a validated message with its routing key and the given time', async () => {
      const message = await test.db.transaction((tx) =>
        enqueue(tx, 'worker-type-created', { workerType: 'wt-a' }, { workerType: 'wt-a', version: 1 }, t0),
      );
      const rows = await outbox();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        id: message.id,
        exchange: 'worker-type-created',
        routing_key: 'primary.wt-a._',
        payload: { workerType: 'wt-a', version: 1 },
        published_at: null,
      });
      expect(rows[0]?.created_at.toISOString()).toBe(t0.toISOString());
    });

    it('refuses a bad message before it reaches the outbox, failing the transaction', async () => {
      const bad = { workerType: 'wt a', version: 1 } as const;
      await expect(
        test.db.transaction(async (tx) => {
          await writer.enqueue(
            tx,
            'worker-type-updated',
            { workerType: 'wt-b' },
            { workerType: 'wt-b', version: 1 },
            t0,
          );
          await writer.enqueue(tx, 'worker-type-updated', { workerType: 'wt-a' }, bad, t0);
        }),
      ).rejects.toBeInstanceOf(InvalidEventError);
      await expect(
        test.db.transaction((tx) =>
          writer.enqueue(
            tx,
            'worker-type-updated',
            { workerType: 'a.b' },
            { workerType: 'ab', version: 1 },
            t0,
          ),
        ),
      ).rejects.toThrow('contains a dot');
      expect(await outbox()).toEqual([]);
    });

    it('derives the routing key from the body, logs and wakes the publisher', async () => {
      await test.db.transaction((tx) =>
        writer.enqueueEvent(
          tx,
          'instance-terminated',
          {
            version: 1,
            workerType: 'wt-c',
            instanceId: 'i-0abc1234',
            region: 'us-east-1',
            zone: 'us-east-1c',
            instanceType: 'c5.large',
            market: 'spot',
            reason: 'scale-down',
            terminatedAt: t0.toISOString(),
          },
          t0,
        ),
      );
      expect((await outbox()).map((r) => [r.exchange, r.routing_key])).toEqual([
        ['instance-terminated', 'primary.wt-c.us-east-1.scale-down._'],
      ]);
      expect(wakeUps).toBe(1);
      expect(logLines).toEqual([
        expect.objectContaining({
          event: 'outbox.enqueued',
          exchange: 'instance-terminated',
          routingKey: 'primary.wt-c.us-east-1.scale-down._',
        }),
      ]);
    });

    it('writes many events of one exchange in one go, with ids in their order, or none if one is bad', async () => {
      let n = 0;
      const launched = (workerType: string, region: string) => ({
        version: 1 as const,
        workerType,
        instanceId: `i-0000000${++n}`,
        region,
        zone: `${region}a`,
        instanceType: 'c5.large',
        market: 'spot' as const,
        price: 0.04,
        launchedAt: t0.toISOString(),
      });
      const payloads = [
        launched('wt-1', 'us-east-1'),
        launched('wt-2', 'eu-west-1'),
        launched('wt-3', 'us-west-2'),
      ];
      const messages = await test.db.transaction((tx) =>
        writer.enqueueEvents(tx, 'instance-launched', payloads, t0),
      );
      const rows = await outbox();
      expect(rows.map((r) => [Number(r.id), r.routing_key, r.payload])).toEqual(
        messages.map((m, i) => [m.id, `primary.wt-${i + 1}.${payloads[i]?.region}._`, payloads[i]]),
      );
      expect(messages.map((m) => m.id)).toEqual([...messages.map((m) => m.id)].sort((a, b) => a - b));
      expect(logLines.map((l) => l.outboxId)).toEqual(messages.map((m) => m.id));
      expect(wakeUps).toBe(1);

      await expect(
        test.db.transaction((tx) =>
          writer.enqueueEvents(
            tx,
            'instance-launched',
            [launched('wt-4', 'us-east-1'), launched('wt 5', 'x')],
            t0,
          ),
        ),
      ).rejects.toBeInstanceOf(InvalidEventError);
      expect(await outbox()).toHaveLength(3);
    });

    it('turns committed worker type changes into events, in the same transaction', async () => {
      const store = new WorkerTypeStore(test.db, [writer.workerTypeListener]);
      await store.create('wt-life', exampleDefinition(), 'alice', t0);
      await store.create('wt-life', exampleDefinition(), 'alice', later(1));
      await expect(
        store.create('wt-life', exampleDefinition({ maxCapacity: 2 }), 'bob', later(2)),
      ).rejects.toMatchObject({
        code: 'RequestConflict',
      });
      await store.update('wt-life', (d) => ({ ...d, maxCapacity: 3 }), 'alice', later(3));
      await store.rollback('wt-life', 1, 'alice', later(4));
      await store.remove('wt-life', 'alice', later(5));
      await store.remove('wt-life', 'alice', later(6));
      await store.rollback('wt-life', 2, 'alice', later(7));
      const rows = await outbox();
      expect(rows.map((r) => [r.exchange, r.routing_key, r.created_at.toISOString()])).toEqual([
        ['worker-type-created', 'primary.wt-life._', t0.toISOString()],
        ['worker-type-created', 'primary.wt-life._', later(1).toISOString()],
        ['worker-type-updated', 'primary.wt-life._', later(3).toISOString()],
        ['worker-type-updated', 'primary.wt-life._', later(4).toISOString()],
        ['worker-type-removed', 'primary.wt-life._', later(5).toISOString()],
        ['worker-type-created', 'primary.wt-life._', later(7).toISOString()],
      ]);
      for (const row of rows) expect(row.payload).toEqual({ workerType: 'wt-life', version: 1 });
    });

    it('writes no event when a later step of the change fails', async () => {
      const failing = new WorkerTypeStore(test.db, [
        writer.workerTypeListener,
        async () => {
          throw new Error('removal queue unavailable');
        },
      ]);
      await expect(failing.create('wt-atomic', exampleDefinition(), 'alice', t0)).rejects.toThrow(
        'removal queue',
      );
      expect(await outbox()).toEqual([]);
    });
  });

  describe('store', () => {
    let store: OutboxStore;
    const epoch = t0.getTime();

    /** Writes one message per worker type name, at `at`; returns the ids. */
    const write = (names: string[], at: number) =>
      test.db.transaction(async (tx) => {
        const ids: number[] = [];
        for (const workerType of names) {
          const message = { workerType, version: 1 } as const;
          ids.push((await enqueue(tx, 'worker-type-updated', { workerType }, message, new Date(at))).id);
        }
        return ids;
      });

    const remainingIds = async () => (await outbox()).map((r) => Number(r.id));

    beforeAll(() => {
      store = new OutboxStore(test.db);
    });

    it('lists unpublished rows in id order and marks exactly the given ones', async () => {
      const ids = await write(['a', 'b', 'c', 'd'], epoch);
      expect(
        (await store.unpublished(test.db, 3)).map((r) => [r.id, r.exchange, r.routingKey, r.payload]),
      ).toEqual([
        [ids[0], 'worker-type-updated', 'primary.a._', { workerType: 'a', version: 1 }],
        [ids[1], 'worker-type-updated', 'primary.b._', { workerType: 'b', version: 1 }],
        [ids[2], 'worker-type-updated', 'primary.c._', { workerType: 'c', version: 1 }],
      ]);
      await store.markPublished(test.db, [ids[0] as number, ids[2] as number], new Date(epoch));
      expect((await store.unpublished(test.db, 10)).map((r) => r.id)).toEqual([ids[1], ids[3]]);
      expect(await store.backlog()).toBe(2);
    });

    it('prunes published rows past retention, and unpublished ones only when asked', async () => {
      const old = await write(['old-published', 'old-unpublished'], epoch - 48 * HOUR);
      const recent = await write(['recent-published', 'recent-unpublished'], epoch);
      await store.markPublished(test.db, [old[0] as number], new Date(epoch - 47 * HOUR));
      await store.markPublished(test.db, [recent[0] as number], new Date(epoch));
      expect(await store.prune(new Date(epoch - 24 * HOUR), false)).toBe(1);
      expect(await remainingIds()).toEqual([old[1], ...recent]);
      expect(await store.prune(new Date(epoch - 24 * HOUR), true)).toBe(1);
      expect(await remainingIds()).toEqual(recent);
    });

    it('lets one drainer at a time work', async () => {
      let inner: string | undefined = 'not run';
      let release = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      const first = store.whileDraining(async () => {
        inner = await store.whileDraining(async () => 'second ran');
        await held;
        return 'first ran';
      });
      await waitUntil(() => inner !== 'not run', 'the second drainer to give up');
      release();
      expect(await first).toBe('first ran');
      expect(inner).toBeUndefined();
      expect(await store.whileDraining(async () => 'ran again')).toBe('ran again');
    });

    it('without a broker, publishes nothing, counts the backlog and prunes by age', async () => {
      const old = await write(['old'], epoch - 48 * HOUR);
      const recent = await write(['recent-1', 'recent-2'], epoch - HOUR);
      const clock = new VirtualClock(epoch);
      const publisher = new OutboxPublisher({
        db: test.db,
        clock,
        logger: createLogger('silent'),
        pulseUrl: undefined,
        namespace: 'unused',
      });
      expect(publisher.enabled).toBe(false);
      await publisher.start();
      publisher.notify();
      await waitUntil(
        async () => !(await remainingIds()).includes(old[0] as number),
        'the old row to be pruned',
      );
      expect(await remainingIds()).toEqual(recent);
      expect(await publisher.backlog()).toBe(2);
      // Each hour of virtual time fires the pending prune timer; the recent rows go once they are a day old.
      await waitUntil(async () => {
        await clock.advanceBy(HOUR);
        return (await remainingIds()).length === 0;
      }, 'the recent rows to be pruned a day later');
      expect(clock.now()).toBeGreaterThanOrEqual(epoch + 23 * HOUR);
      expect(publisher.connected).toBe(false);
      await publisher.stop();
    });
  });
});
