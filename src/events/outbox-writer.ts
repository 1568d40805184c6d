import type { Logger } from '../log/logger.js';
import type { Queryable } from '../store/database.js';
import type { ChangeListener, WorkerTypeChange } from '../store/worker-type-store.js';
import { type EventMessage, prepareMessage } from './event-message.js';
import { type EventPayloads, EXCHANGES, type ExchangeName, type RoutingKeyParts } from './exchanges.js';

export interface EnqueuedMessage<E extends ExchangeName = ExchangeName> extends EventMessage<E> {
  /** The outbox row id; it becomes the AMQP `messageId`. */
  id: number;
}

/**
 * Validates a message and writes it to the outbox in the caller's transaction, so it is published if and
 * only if that transaction commits. A bad message throws `InvalidEventError` (and so fails the transaction).
 */
export function enqueue<E extends ExchangeName>(
  tx: Queryable,
  exchange: E,
  routingKeyParts: RoutingKeyParts,
  payload: EventPayloads[E],
  now: Date,
): Promise<EnqueuedMessage<E>> {
  return new OutboxWriter().enqueue(tx, exchange, routingKeyParts, payload, now);
}

/** Writes prepared messages in one statement; they get ids in their order. */
async function enqueueAll<E extends ExchangeName>(
  tx: Queryable,
  messages: readonly EventMessage<E>[],
  now: Date,
): Promise<EnqueuedMessage<E>[]> {
  if (messages.length === 0) return [];
  const rows = await tx.query<{ id: number | string }>(
    `INSERT INTO outbox (exchange, routing_key, payload, created_at)
     SELECT u.exchange, u.routing_key, u.payload, $4
     FROM unnest($1::text[], $2::text[], $3::jsonb[]) WITH ORDINALITY AS u (exchange, routing_key, payload, n)
     ORDER BY u.n RETURNING id`,
    [
      messages.map((m) => m.exchange),
      messages.map((m) => m.routingKey),
      messages.map((m) => JSON.stringify(m.payload)),
      now,
    ],
  );
  // Ids come from one sequence in insertion order, which ORDER BY fixes; RETURNING's order is not promised.
  const ids = rows.map((r) => Number(r.id)).sort((a, b) => a - b);
  return messages.map((message, i) => ({ ...message, id: ids[i] ?? Number.NaN }));
}

export interface OutboxWriterOptions {
  logger?: Logger;
  /** Called after each message is written (typically `OutboxPublisher.notify`); the commit follows shortly. */
  onEnqueued?: () => void;
}

/**
 * The outbox as the rest of the service uses it: `enqueue` plus a log line and a wake-up for the
 * publisher, and the listener that turns committed worker type changes into events.
 */
export class OutboxWriter {
  constructor(private readonly options: OutboxWriterOptions = {}) {}

  async enqueue<E extends ExchangeName>(
    tx: Queryable,
    exchange: E,
    routingKeyParts: RoutingKeyParts,
    payload: EventPayloads[E],
    now: Date,
  ): Promise<EnqueuedMessage<E>> {
    const [message] = await this.written(tx, [prepareMessage(exchange, routingKeyParts, payload)], now);
    if (message === undefined) throw new Error('the outbox insert returned no id');
    return message;
  }

  /** `enqueue` with the routing key taken from the body, as the exchange declares it. */
  enqueueEvent<E extends ExchangeName>(
    tx: Queryable,
    exchange: E,
    payload: EventPayloads[E],
    now: Date,
  ): Promise<EnqueuedMessage<E>> {
    return this.enqueue(tx, exchange, EXCHANGES[exchange].routingKeyParts(payload), payload, now);
  }

  /** `enqueueEvent` for many events of one exchange, in one statement (the loop's launches of a pass). */
  enqueueEvents<E extends ExchangeName>(
    tx: Queryable,
    exchange: E,
    payloads: readonly EventPayloads[E][],
    now: Date,
  ): Promise<EnqueuedMessage<E>[]> {
    const { routingKeyParts } = EXCHANGES[exchange];
    const messages = payloads.map((payload) => prepareMessage(exchange, routingKeyParts(payload), payload));
    return this.written(tx, messages, now);
  }

  private async written<E extends ExchangeName>(
    tx: Queryable,
    messages: readonly EventMessage<E>[],
    now: Date,
  ): Promise<EnqueuedMessage<E>[]> {
    const enqueued = await enqueueAll(tx, messages, now);
    for (const message of enqueued) {
      this.options.logger?.info(
        {
          event: 'outbox.enqueued',
          outboxId: message.id,
          exchange: message.exchange,
          routingKey: message.routingKey,
        },
        'pulse message written to the outbox',
      );
    }
    if (enqueued.length > 0) this.options.onEnqueued?.();
    return enqueued;
  }

  /**
   * For `WorkerTypeStore`: every committed change publishes on `worker-type-<change.event>`. A rollback
   * thus publishes `worker-type-updated`, or `worker-type-created` when it re-creates a removed worker type.
   */
  readonly workerTypeListener: ChangeListener = async (tx: Queryable, change: WorkerTypeChange) => {
    await this.enqueueEvent(
      tx,
      workerTypeExchange(change.event),
      { workerType: change.workerType, version: 1 },
      change.at,
    );
  };
}

function workerTypeExchange(event: WorkerTypeChange['event']): ExchangeName {
  return `worker-type-${event}`;
}
