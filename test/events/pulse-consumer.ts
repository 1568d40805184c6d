import { randomBytes } from 'node:crypto';
import { type Channel, type ChannelModel, connect, type MessageProperties } from 'amqplib';
import { EXCHANGE_NAMES, type ExchangeName, fullExchangeName } from '../../src/events/exchanges.js';

/**
 * The broker the event tests use: `AMQP_URL`, or undefined when it is not set (those tests then do not
 * run). In CI a missing AMQP_URL is an error, so the broker tests can never be skipped silently.
 */
export function amqpUrl(): string | undefined {
  const url = process.env.AMQP_URL;
  if (!url && process.env.CI)
    throw new Error('CI is set but AMQP_URL is not: the RabbitMQ tests would be skipped');
  return url || undefined;
}

/** A namespace no other test run uses, so parallel runs never see each other's messages. */
export function uniqueNamespace(): string {
  return `aws-provisioner-test-${randomBytes(5).toString('hex')}`;
}

export interface ReceivedMessage {
  exchange: string;
  routingKey: string;
  body: unknown;
  properties: MessageProperties;
}

/** Polls `check` until it holds; fails with `what` after `timeoutMs` (a failure bound, not a speed test). */
export async function waitUntil(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * A consumer bound to `pattern` on some exchanges of `namespace`. It declares the exchanges itself (with
 * the publisher's options) so it is bound before anything is published, and deletes them all on close.
 */
export class PulseConsumer {
  readonly messages: ReceivedMessage[] = [];
  private readonly flushed = new Set<string>();
  private flushes = 0;

  private constructor(
    private readonly connection: ChannelModel,
    private readonly channel: Channel,
    private readonly namespace: string,
    private readonly queue: string,
  ) {}

  static async start(
    url: string,
    namespace: string,
    exchanges: readonly ExchangeName[],
    pattern = 'primary.#',
  ): Promise<PulseConsumer> {
    const connection = await connect(url);
    const channel = await connection.createChannel();
    const queue = `queue/${namespace}/events-test`;
    await channel.assertQueue(queue, { exclusive: true, autoDelete: true, durable: false });
    for (const exchange of exchanges) {
      const name = fullExchangeName(namespace, exchange);
      await channel.assertExchange(name, 'topic', { durable: true, autoDelete: false, internal: false });
      await channel.bindQueue(queue, name, pattern);
    }
    const consumer = new PulseConsumer(connection, channel, namespace, queue);
    await channel.consume(
      queue,
      (message) => {
        if (!message) return;
        if (message.fields.exchange === '') {
          consumer.flushed.add(message.content.toString('utf-8'));
          return;
        }
        consumer.messages.push({
          exchange: message.fields.exchange,
          routingKey: message.fields.routingKey,
          body: JSON.parse(message.content.toString('utf-8')),
          properties: message.properties,
        });
      },
      { noAck: true },
    );
    return consumer;
  }

  /**
   * Waits until everything already in the queue has been received: a marker sent straight to the queue
   * arrives after them (one queue is FIFO). Once the publisher's rows are confirmed, they are in the queue.
   */
  async flush(): Promise<void> {
    const marker = `flush-${++this.flushes}`;
    this.channel.sendToQueue(this.queue, Buffer.from(marker));
    await waitUntil(() => this.flushed.has(marker), 'the flush marker');
  }

  /** Deletes the queue and every exchange of the namespace (the publisher declared them all). */
  async close(): Promise<void> {
    await this.channel.deleteQueue(this.queue);
    for (const exchange of EXCHANGE_NAMES) {
      await this.channel.deleteExchange(fullExchangeName(this.namespace, exchange));
    }
    await this.channel.close();
    await this.connection.close();
  }
}
