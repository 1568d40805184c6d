import { type ChannelModel, type ConfirmChannel, connect, type RecoveringChannelModel } from 'amqplib';
import type { Clock } from '../clock/clock.js';
import type { Logger } from '../log/logger.js';
import { EXCHANGE_NAMES, fullExchangeName } from './exchanges.js';
import type { OutboxRow } from './outbox-store.js';

export interface PulseLinkOptions {
  /** `amqp://` or `amqps://`; never logged (it carries the password). */
  url: string;
  namespace: string;
  clock: Clock;
  logger: Logger;
  reconnectInitialDelayMs: number;
  reconnectMaxDelayMs: number;
  /** Longest wait for the broker to confirm a batch (or to open a channel). */
  confirmTimeoutMs: number;
  /** Called whenever a connection to the broker is (re-)established. */
  onConnect: () => void;
}

export interface PublishOutcome {
  /** How many leading messages of the batch the broker confirmed; only these may be marked published. */
  confirmed: number;
  /** Per message: confirmed (true), refused by the broker (false), or unknown. */
  acked: readonly (boolean | undefined)[];
  error?: Error;
}

const EXCHANGE_OPTIONS = { durable: true, autoDelete: false, internal: false } as const;

/**
 * One connection to the broker with a confirm channel on which every exchange is declared. Reconnection
 * with exponential back-off and jitter is amqplib's own recovery; the channel is re-opened on demand.
 */
export class PulseLink {
  private connection: RecoveringChannelModel | undefined;
  private model: ChannelModel | undefined;
  private channel: ConfirmChannel | undefined;

  constructor(private readonly options: PulseLinkOptions) {}

  /** Starts connecting in the background; resolves at once, whether or not the broker is reachable. */
  async open(): Promise<void> {
    const { logger } = this.options;
    const connection = await connect(this.options.url, {
      recovery: {
        initialDelay: this.options.reconnectInitialDelayMs,
        maxDelay: this.options.reconnectMaxDelayMs,
        waitForConnect: false,
      },
    });
    connection.on('connect', (model) => {
      this.model = model;
      logger.info({ event: 'pulse.connected' }, 'connected to the pulse broker');
      this.options.onConnect();
    });
    connection.on('disconnect', (err) => {
      this.model = undefined;
      this.channel = undefined;
      logger.warn({ event: 'pulse.disconnected', err }, 'lost the connection to the pulse broker');
    });
    connection.on('reconnect-scheduled', ({ attempt, delay, error }) => {
      logger.warn(
        { event: 'pulse.reconnect-scheduled', attempt, delayMs: delay, err: error },
        'pulse broker unreachable',
      );
    });
    connection.on('error', (err) =>
      logger.warn({ event: 'pulse.connection-error', err }, 'pulse connection error'),
    );
    connection.on('blocked', (reason) =>
      logger.warn({ event: 'pulse.blocked', reason }, 'pulse broker blocks publishing'),
    );
    connection.on('unblocked', () =>
      logger.info({ event: 'pulse.unblocked' }, 'pulse broker accepts publishing again'),
    );
    this.connection = connection;
  }

  get connected(): boolean {
    return this.model !== undefined;
  }

  /** Publishes `rows` in order and waits for the broker's confirms; never throws. */
  async publish(rows: readonly OutboxRow[]): Promise<PublishOutcome> {
    let channel: ConfirmChannel;
    try {
      channel = await this.withTimeout(this.confirmChannel(), 'opening a channel');
    } catch (error) {
      return { confirmed: 0, acked: [], error: error as Error };
    }
    const acked: (boolean | undefined)[] = [];
    const confirmations: Promise<void>[] = [];
    let error: Error | undefined;
    try {
      for (const [index, row] of rows.entries()) {
        const { confirmation, writable } = this.send(channel, row, (ok) => {
          acked[index] = ok;
        });
        confirmations.push(confirmation);
        if (!writable) await drained(channel);
      }
    } catch (sendError) {
      error = sendError as Error;
    }
    try {
      await this.withTimeout(Promise.all(confirmations), 'waiting for confirms');
    } catch (timeout) {
      error ??= timeout as Error;
      // Unknown state: drop the channel so the next batch starts on a fresh one.
      this.discardChannel(channel);
    }
    const confirmed = leadingTrue(acked, rows.length);
    if (confirmed < rows.length)
      error ??= new Error('the broker refused (nacked) a message or closed the channel');
    return error ? { confirmed, acked, error } : { confirmed, acked };
  }

  async close(): Promise<void> {
    const { channel, connection } = this;
    this.channel = undefined;
    this.model = undefined;
    this.connection = undefined;
    // Bounded: a half-open TCP connection would never answer the close handshake.
    if (channel) await this.withTimeout(channel.close(), 'closing the channel').catch(() => {});
    if (connection) await this.withTimeout(connection.close(), 'closing the connection').catch(() => {});
  }

  private send(
    channel: ConfirmChannel,
    row: OutboxRow,
    settle: (ok: boolean | undefined) => void,
  ): { confirmation: Promise<void>; writable: boolean } {
    let writable = true;
    let thrown: unknown;
    const confirmation = new Promise<void>((resolve) => {
      try {
        writable = channel.publish(
          fullExchangeName(this.options.namespace, row.exchange),
          row.routingKey,
          Buffer.from(JSON.stringify(row.payload), 'utf-8'),
          {
            persistent: true,
            contentType: 'application/json',
            contentEncoding: 'utf-8',
            CC: [],
            // The outbox id: a resent message keeps it, so consumers can drop duplicates.
            messageId: String(row.id),
          },
          (err: unknown) => {
            // A nack is the broker refusing this message; any other error (the channel closed before the
            // confirm came) says nothing about it.
            settle(err == null ? true : (err as Error).message === 'message nacked' ? false : undefined);
            resolve();
          },
        );
      } catch (error) {
        // A closed channel throws at once and never calls back.
        thrown = error ?? new Error('publish failed');
        resolve();
      }
    });
    if (thrown !== undefined) throw thrown;
    return { confirmation, writable };
  }

  private async confirmChannel(): Promise<ConfirmChannel> {
    if (this.channel) return this.channel;
    const model = this.model;
    if (!model) throw new Error('not connected to the pulse broker');
    const channel = await model.createConfirmChannel();
    channel.on('error', (err) =>
      this.options.logger.warn({ event: 'pulse.channel-error', err }, 'pulse channel error'),
    );
    channel.on('close', () => {
      if (this.channel === channel) this.channel = undefined;
    });
    try {
      for (const name of EXCHANGE_NAMES) {
        await channel.assertExchange(
          fullExchangeName(this.options.namespace, name),
          'topic',
          EXCHANGE_OPTIONS,
        );
      }
    } catch (error) {
      await channel.close().catch(() => {});
      throw error;
    }
    this.channel = channel;
    return channel;
  }

  private discardChannel(channel: ConfirmChannel): void {
    if (this.channel === channel) this.channel = undefined;
    channel.close().catch(() => {});
  }

  private withTimeout<T>(work: Promise<T>, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const cancel = this.options.clock.setTimer(this.options.confirmTimeoutMs, () =>
        reject(new Error(`pulse broker timed out ${what}`)),
      );
      work.then(
        (value) => {
          cancel();
          resolve(value);
        },
        (error: unknown) => {
          cancel();
          reject(error);
        },
      );
    });
  }
}

/** Resolves when the channel can take more writes; rejects if it closes first. */
function drained(channel: ConfirmChannel): Promise<void> {
  return new Promise((resolve, reject) => {
    const onDrain = () => {
      channel.off('close', onClose);
      resolve();
    };
    const onClose = () => {
      channel.off('drain', onDrain);
      reject(new Error('pulse channel closed'));
    };
    channel.once('drain', onDrain);
    channel.once('close', onClose);
  });
}

function leadingTrue(values: readonly (boolean | undefined)[], length: number): number {
  let count = 0;
  while (count < length && values[count] === true) count++;
  return count;
}
