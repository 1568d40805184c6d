import { connect } from 'amqplib';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RealClock } from '../../src/clock/clock.js';
import { OutboxPublisher, type OutboxPublisherOptions } from '../../src/events/outbox-publisher.js';
import { OutboxWriter } from '../../src/events/outbox-writer.js';
import { createLogger } from '../../src/log/logger.js';
import { WorkerTypeStore } from '../../src/store/worker-type-store.js';
import { exampleDefinition } from '../fixtures/worker-types.js';
import { engines, type TestDatabase } from '../helpers/databases.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import {
  amqpUrl,
  PulseConsumer,
  type ReceivedMessage,
  uniqueNamespace,
  waitUntil,
} from './pulse-consumer.js';

const url = amqpUrl();
const WORKER_TYPE_EXCHANGES = ['worker-type-created', 'worker-type-updated', 'worker-type-removed'] as const;
const at = (minutes: number) => new Date(Date.UTC(2026, 0, 1) + minutes * 60_000);

/** The broker URL with its host and port replaced by the proxy's. */
function viaProxy(brokerUrl: string, proxy: TcpProxy): string {
  const proxied = new URL(brokerUrl);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(proxy.port);
  return proxied.toString();
}

function brokerAddress(brokerUrl: string): { host: string; port: number } {
  const parsed = new URL(brokerUrl);
  return { host: parsed.hostname, port: Number(parsed.port || (parsed.protocol === 'amqps:' ? 5671 : 5672)) };
}

describe.runIf(url !== undefined).each(engines())('OutboxPublisher with RabbitMQ on $name', (engine) => {
  const brokerUrl = url as string;
  let test: TestDatabase;
  let namespace: string;
  let consumer: PulseConsumer | undefined;
  const publishers: OutboxPublisher[] = [];
  const logs: Record<string, unknown>[] = [];

  function publisher(overrides: Partial<OutboxPublisherOptions> = {}): OutboxPublisher {
    const created = new OutboxPublisher({
      db: test.db,
      clock: new RealClock(),
      logger: createLogger('debug', { write: (line: string) => logs.push(JSON.parse(line)) }),
      pulseUrl: brokerUrl,
      namespace,
      pollIntervalMs: 100,
      notifyDelayMs: 5,
      reconnectInitialDelayMs: 20,
      reconnectMaxDelayMs: 150,
      confirmTimeoutMs: 5_000,
      ...overrides,
    });
    publishers.push(created);
    return created;
  }

  const storeFor = (target: OutboxPublisher) =>
    new WorkerTypeStore(test.db, [
      new OutboxWriter({ onEnqueued: () => target.notify() }).workerTypeListener,
    ]);

  const outboxRows = () =>
    test.db.query<{ id: number; routing_key: string; exchange: string }>(
      'SELECT id, exchange, routing_key FROM outbox ORDER BY id',
    );

  beforeAll(async () => {
    test = await engine.open();
  });
  afterAll(() => test.dispose());
  beforeEach(async () => {
    namespace = uniqueNamespace();
    logs.length = 0;
    await test.db.query('DELETE FROM outbox');
  });
  afterEach(async () => {
    await Promise.all(publishers.splice(0).map((p) => p.stop()));
    await consumer?.close();
    consumer = undefined;
  });

  it('publishes exactly the committed worker type changes, with the original properties', async () => {
    consumer = await PulseConsumer.start(brokerUrl, namespace, WORKER_TYPE_EXCHANGES);
    const events = publisher();
    const store = storeFor(events);
    await events.start();

    await store.create('wt-life', exampleDefinition(), 'alice', at(0));
    await store.create('wt-life', exampleDefinition(), 'alice', at(1));
    await expect(
      store.create('wt-life', exampleDefinition({ maxCapacity: 1 }), 'bob', at(2)),
    ).rejects.toMatchObject({
      code: 'RequestConflict',
    });
    await store.update('wt-life', (d) => ({ ...d, maxCapacity: 7 }), 'alice', at(3));
    await store.remove('wt-life', 'alice', at(4));
    await store.remove('wt-life', 'alice', at(5));
    await store.create('wt-other', exampleDefinition(), 'alice', at(6));
    await waitUntil(
      async () => (await events.backlog()) === 0,
      'every row to be confirmed and marked published',
    );
    await consumer.flush();

    const prefix = `exchange/${namespace}/v1/`;
    const ids = (await outboxRows()).map((r) => String(r.id));
    expect(consumer.messages.map((m) => [m.exchange, m.routingKey, m.body, m.properties.messageId])).toEqual([
      [`${prefix}worker-type-created`, 'primary.wt-life._', { workerType: 'wt-life', version: 1 }, ids[0]],
      [`${prefix}worker-type-created`, 'primary.wt-life._', { workerType: 'wt-life', version: 1 }, ids[1]],
      [`${prefix}worker-type-updated`, 'primary.wt-life._', { workerType: 'wt-life', version: 1 }, ids[2]],
      [`${prefix}worker-type-removed`, 'primary.wt-life._', { workerType: 'wt-life', version: 1 }, ids[3]],
      [`${prefix}worker-type-created`, 'primary.wt-other._', { workerType: 'wt-other', version: 1 }, ids[4]],
    ]);
    for (const message of consumer.messages) {
      expect(message.properties).toMatchObject({
        contentType: 'application/json',
        contentEncoding: 'utf-8',
        deliveryMode: 2,
        headers: { CC: [] },
      });
    }
  });

  it('gives up a message the broker keeps refusing (a full consumer queue), so the rest still flows', async () => {
    consumer = await PulseConsumer.start(brokerUrl, namespace, WORKER_TYPE_EXCHANGES);
    // Another consumer's queue is full and rejects publishes: the broker refuses every message routed to it.
    const connection = await connect(brokerUrl);
    try {
      const channel = await connection.createChannel();
      const full = await channel.assertQueue('', {
        exclusive: true,
        arguments: { 'x-max-length': 0, 'x-overflow': 'reject-publish' },
      });
      await channel.bindQueue(
        full.queue,
        `exchange/${namespace}/v1/worker-type-created`,
        'primary.wt-stuck.#',
      );
      const events = publisher();
      const store = storeFor(events);
      await events.start();
      await store.create('wt-stuck', exampleDefinition(), 'alice', at(0));
      await store.create('wt-free', exampleDefinition(), 'alice', at(1));
      await waitUntil(
        async () => (await events.backlog()) === 0,
        'the outbox to drain past the refused message',
      );
      await consumer.flush();
      const routingKeys = consumer.messages.map((m) => m.routingKey);
      expect(routingKeys.at(-1)).toBe('primary.wt-free._');
      // Resent with its batch until given up: five times, not for ever.
      expect(routingKeys.filter((k) => k === 'primary.wt-stuck._').length).toBe(5);
      expect(logs.filter((l) => l.event === 'outbox.message-dropped')).toEqual([
        expect.objectContaining({ routingKey: 'primary.wt-stuck._', refusals: 5 }),
      ]);
    } finally {
      await connection.close();
    }
  }, 60_000);

  it('keeps committing while the broker is unreachable and delivers everything, in order, afterwards', async () => {
    const proxy = await TcpProxy.start(brokerAddress(brokerUrl));
    try {
      consumer = await PulseConsumer.start(brokerUrl, namespace, WORKER_TYPE_EXCHANGES);
      const batchSize = 4;
      const events = publisher({ pulseUrl: viaProxy(brokerUrl, proxy), batchSize });
      const store = storeFor(events);
      const names = ['wt-a', 'wt-b', 'wt-c'];
      await events.start();
      for (const name of names) await store.create(name, exampleDefinition(), 'alice', at(0));
      await waitUntil(() => consumer?.messages.length === names.length, 'the first messages');

      proxy.cut();
      await waitUntil(() => !events.connected, 'the publisher to notice the cut');
      const updates = async (round: number) => {
        for (const name of names)
          await store.update(name, (d) => ({ ...d, maxCapacity: round }), 'alice', at(round));
      };
      for (let round = 1; round <= 8; round++) await updates(round);
      expect(await events.backlog()).toBe(8 * names.length);
      expect(consumer.messages).toHaveLength(names.length);

      // Back, then cut again while the backlog drains, with more changes meanwhile.
      proxy.restore();
      await waitUntil(() => (consumer?.messages.length ?? 0) > names.length + 2, 'draining to start');
      proxy.cut();
      for (let round = 9; round <= 10; round++) await updates(round);
      proxy.restore();

      await waitUntil(
        async () => (await events.backlog()) === 0,
        'every row to be confirmed and marked published',
      );
      await consumer.flush();
      const expected = await outboxRows();
      expect(expected).toHaveLength(10 * names.length + names.length);
      assertOrderedAtLeastOnce(consumer.messages, expected, { maxDuplicates: 2 * batchSize });
      expect(logs.map((l) => l.event)).toEqual(
        expect.arrayContaining(['pulse.connected', 'pulse.disconnected', 'pulse.reconnect-scheduled']),
      );
    } finally {
      await Promise.all(publishers.splice(0).map((p) => p.stop()));
      await proxy.close();
    }
  });

  it('stops within its timeouts when the broker stops reading and answering (a blocked broker)', async () => {
    const proxy = await TcpProxy.start(brokerAddress(brokerUrl));
    try {
      const events = publisher({ pulseUrl: viaProxy(brokerUrl, proxy), confirmTimeoutMs: 1_000 });
      const store = storeFor(events);
      await events.start();
      await store.create('wt-first', exampleDefinition(), 'alice', at(0));
      await waitUntil(async () => (await events.backlog()) === 0, 'the first message');
      proxy.freeze();
      for (let i = 0; i < 5; i++) await store.create(`wt-unread-${i}`, exampleDefinition(), 'alice', at(1));
      await new Promise((resolve) => setTimeout(resolve, 500));
      const stopped = await Promise.race([
        events.stop().then(() => 'stopped'),
        new Promise((resolve) => setTimeout(() => resolve('still stopping after 10 s'), 10_000)),
      ]);
      expect(stopped).toBe('stopped');
      expect(await events.backlog()).toBeGreaterThan(0);
    } finally {
      await proxy.close();
    }
  }, 30_000);

  it('starts without the broker, and a restarted process sends what the stopped one could not', async () => {
    const proxy = await TcpProxy.start(brokerAddress(brokerUrl));
    try {
      consumer = await PulseConsumer.start(brokerUrl, namespace, WORKER_TYPE_EXCHANGES);
      proxy.cut();
      const first = publisher({ pulseUrl: viaProxy(brokerUrl, proxy) });
      await first.start();
      const store = storeFor(first);
      await store.create('wt-restart', exampleDefinition(), 'alice', at(0));
      await store.remove('wt-restart', 'alice', at(1));
      await waitUntil(
        () => logs.some((l) => l.event === 'pulse.reconnect-scheduled'),
        'a failed connection attempt',
      );
      await first.stop();
      expect(await first.backlog()).toBe(2);

      const second = publisher();
      await second.start();
      await waitUntil(async () => (await second.backlog()) === 0, 'the backlog to be published');
      await consumer.flush();
      expect(consumer.messages.map((m) => [m.exchange.split('/').at(-1), m.routingKey])).toEqual([
        ['worker-type-created', 'primary.wt-restart._'],
        ['worker-type-removed', 'primary.wt-restart._'],
      ]);
    } finally {
      await Promise.all(publishers.splice(0).map((p) => p.stop()));
      await proxy.close();
    }
  });

  it('lets two replicas share one outbox: each message once, in order', async () => {
    consumer = await PulseConsumer.start(brokerUrl, namespace, ['instance-launched']);
    const replicas = [publisher({ batchSize: 3 }), publisher({ batchSize: 3 })];
    await Promise.all(replicas.map((r) => r.start()));
    const writers = replicas.map((r) => new OutboxWriter({ onEnqueued: () => r.notify() }));
    const launches = Array.from({ length: 24 }, (_, i) => ({
      version: 1 as const,
      workerType: `wt-${i % 3}`,
      instanceId: `i-${(0x10000000 + i).toString(16)}`,
      region: i % 2 === 0 ? 'us-west-2' : 'eu-central-1',
      zone: i % 2 === 0 ? 'us-west-2a' : 'eu-central-1b',
      instanceType: 'c5.xlarge',
      market: 'spot' as const,
      price: 0.05,
      launchedAt: at(i).toISOString(),
    }));
    for (const [i, launch] of launches.entries()) {
      const writer = writers[i % 2] as OutboxWriter;
      await test.db.transaction((tx) => writer.enqueueEvent(tx, 'instance-launched', launch, at(i)));
    }
    await waitUntil(
      async () => (await replicas[0]?.backlog()) === 0,
      'every row to be confirmed and marked published',
    );
    await consumer.flush();
    expect(consumer.messages.map((m) => [m.routingKey, m.body])).toEqual(
      launches.map((l) => [`primary.${l.workerType}.${l.region}._`, l]),
    );
  });
});

/**
 * At-least-once, in order: every row arrives; per routing key (worker type), the first arrival of each
 * message follows the outbox order; resends are bounded.
 */
function assertOrderedAtLeastOnce(
  received: readonly ReceivedMessage[],
  rows: readonly { id: number; routing_key: string }[],
  { maxDuplicates }: { maxDuplicates: number },
): void {
  const firstArrivals = new Map<string, string[]>();
  const seen = new Set<string>();
  for (const message of received) {
    const id = String(message.properties.messageId);
    if (seen.has(id)) continue;
    seen.add(id);
    firstArrivals.set(message.routingKey, [...(firstArrivals.get(message.routingKey) ?? []), id]);
  }
  const expected = new Map<string, string[]>();
  for (const row of rows)
    expected.set(row.routing_key, [...(expected.get(row.routing_key) ?? []), String(row.id)]);
  expect(Object.fromEntries(firstArrivals)).toEqual(Object.fromEntries(expected));
  expect(received.length - seen.size).toBeLessThanOrEqual(maxDuplicates);
}
