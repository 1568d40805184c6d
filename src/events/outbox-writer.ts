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
export async function enqueue<E extends ExchangeName>(
  tx: Queryable,
  exchange: E,
  routingKeyParts: RoutingKeyParts,
  payload: EventPayloads[E],
  now: Date,
): Promise<EnqueuedMessage<E>> {
  const message = prepareMessage(exchange, routingKeyParts, payload);
  const rows = await tx.query<{ id: number }>(
    'INSERT INTO outbox (exchange, routing_key, payload, created_at) VALUES ($1, $2, $3, $4) RETURNING id',
    [message.exchange, message.routingKey, JSON.stringify(message.payload), now],
  );
  return { ...message, id: Number(rows[0]?.id) };
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
    const message = await enqueue(tx, exchange, routingKeyParts, payload, now);
    this.options.logger?.info(
      { event: 'outbox.enqueued', outboxId: message.id, exchange, routingKey: message.routingKey },
      'pulse message written to the outbox',
    );
    this.options.onEnqueued?.();
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
