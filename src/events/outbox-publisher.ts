import type { Clock } from '../clock/clock.js';
import type { Logger } from '../log/logger.js';
import type { Database, Queryable } from '../store/database.js';
import { type OutboxRow, OutboxStore } from './outbox-store.js';
import { PulseLink } from './pulse-link.js';
import { Wakeup } from './wakeup.js';

export interface OutboxPublisherOptions {
  db: Database;
  clock: Clock;
  logger: Logger;
  /** `PULSE_URL`; without it nothing is published (rows are recorded, logged and pruned). */
  pulseUrl: string | undefined;
  /** `PULSE_NAMESPACE`: exchanges are `exchange/<namespace>/v1/<exchange>`. */
  namespace: string;
  /** How often to look for rows nobody announced (other replicas' writes, missed wake-ups). Default 5 s. */
  pollIntervalMs?: number;
  /** Delay between `notify()` and draining, so the notifying transaction has committed. Default 25 ms. */
  notifyDelayMs?: number;
  /** Rows per confirm round trip; also bounds the duplicates one connection failure can cause. Default 100. */
  batchSize?: number;
  /** Longest wait for the broker's confirms of one batch. Default 10 s. */
  confirmTimeoutMs?: number;
  /** Reconnect and retry back-off: from this, doubling, with jitter. Default 500 ms. */
  reconnectInitialDelayMs?: number;
  /** Reconnect and retry back-off cap. Default 30 s. */
  reconnectMaxDelayMs?: number;
  /** Published rows are kept this long (and, when disabled, every row). Default 24 h. */
  retentionMs?: number;
  /** How often old rows are pruned. Default 10 min. */
  pruneIntervalMs?: number;
}

interface BatchResult {
  attempted: number;
  published: number;
  error?: Error;
}

const SECOND = 1000;
/** A message the broker refuses this many times is given up (see `countRefusals`). */
const MAX_REFUSALS = 5;

/**
 * Publishes the outbox to Pulse: rows in id order, on a confirm channel, marked published only once the
 * broker confirmed them. One drainer at a time across all replicas (see `OutboxStore.whileDraining`), so
 * messages about one worker type keep their order. A failure mid-batch resends the unmarked rows:
 * delivery is at-least-once, with at most one batch resent per failure.
 */
export class OutboxPublisher {
  private readonly store: OutboxStore;
  private readonly wakeup: Wakeup;
  private readonly settings: Required<Omit<OutboxPublisherOptions, 'db' | 'clock' | 'logger' | 'pulseUrl'>>;
  private link: PulseLink | undefined;
  private loop: Promise<void> | undefined;
  private running = false;
  private cancelNotify: (() => void) | undefined;
  private failures = 0;
  private nextPruneAt = 0;
  /** Row id → how many times the broker refused it (cleared when it is given up). */
  private readonly refusals = new Map<number, number>();

  constructor(private readonly options: OutboxPublisherOptions) {
    this.store = new OutboxStore(options.db);
    this.wakeup = new Wakeup(options.clock);
    this.settings = {
      namespace: options.namespace,
      pollIntervalMs: options.pollIntervalMs ?? 5 * SECOND,
      notifyDelayMs: options.notifyDelayMs ?? 25,
      batchSize: options.batchSize ?? 100,
      confirmTimeoutMs: options.confirmTimeoutMs ?? 10 * SECOND,
      reconnectInitialDelayMs: options.reconnectInitialDelayMs ?? 500,
      reconnectMaxDelayMs: options.reconnectMaxDelayMs ?? 30 * SECOND,
      retentionMs: options.retentionMs ?? 24 * 3600 * SECOND,
      pruneIntervalMs: options.pruneIntervalMs ?? 600 * SECOND,
    };
  }

  /** False without a `PULSE_URL`. */
  get enabled(): boolean {
    return this.options.pulseUrl !== undefined;
  }

  /** Connected to the broker right now. */
  get connected(): boolean {
    return this.link?.connected ?? false;
  }

  /** Starts connecting and draining in the background; never waits for (or fails on) the broker. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.nextPruneAt = this.options.clock.now();
    const { pulseUrl, logger } = this.options;
    if (pulseUrl === undefined) {
      logger.warn(
        { event: 'pulse.disabled' },
        'PULSE_URL is not set: pulse messages are only recorded and logged',
      );
    } else {
      this.link = new PulseLink({
        ...this.settings,
        url: pulseUrl,
        clock: this.options.clock,
        logger,
        onConnect: () => this.wakeup.wake('connect'),
      });
      await this.link.open();
    }
    this.loop = this.run();
  }

  /** New rows are (about to be) committed: drain soon instead of at the next poll. */
  notify(): void {
    if (!this.running || !this.enabled || this.cancelNotify) return;
    this.cancelNotify = this.options.clock.setTimer(this.settings.notifyDelayMs, () => {
      this.cancelNotify = undefined;
      this.wakeup.wake('notify');
    });
  }

  /** Stops draining (an in-flight batch ends: confirmed rows are marked) and closes the connection. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.cancelNotify?.();
    this.cancelNotify = undefined;
    this.wakeup.wake('stop');
    const link = this.link;
    this.link = undefined;
    await link?.close();
    await this.loop;
  }

  /** Rows not yet published (the outbox backlog metric). */
  backlog(): Promise<number> {
    return this.store.backlog();
  }

  private async run(): Promise<void> {
    while (this.running) {
      let ok = true;
      try {
        await this.pruneIfDue();
        if (this.link?.connected) ok = await this.drain();
      } catch (error) {
        ok = false;
        this.options.logger.error({ event: 'outbox.drain-failed', err: error }, 'could not drain the outbox');
      }
      this.failures = ok ? 0 : this.failures + 1;
      if (!this.running) break;
      // After a failure only a (re)connection cuts the back-off short, so a flapping broker is not hammered.
      if (ok) await this.wakeup.wait(this.idleWait(), ['notify', 'connect', 'stop']);
      else await this.wakeup.wait(this.backoff(), ['connect', 'stop']);
    }
  }

  /** Publishes batches until the outbox is empty; false when a batch failed. */
  private async drain(): Promise<boolean> {
    while (this.running) {
      const link = this.link;
      if (!link) return true;
      const result = await this.store.whileDraining((q) => this.publishBatch(q, link));
      if (result === undefined) return true;
      if (result.error) {
        this.options.logger.warn(
          {
            event: 'outbox.publish-failed',
            attempted: result.attempted,
            published: result.published,
            err: result.error,
          },
          'publishing to pulse failed; unconfirmed messages will be resent',
        );
        return false;
      }
      if (result.attempted < this.settings.batchSize) return true;
    }
    return true;
  }

  private async publishBatch(q: Queryable, link: PulseLink): Promise<BatchResult> {
    const rows = await this.store.unpublished(q, this.settings.batchSize);
    if (rows.length === 0) return { attempted: 0, published: 0 };
    const outcome = await link.publish(rows);
    const givenUp = this.countRefusals(rows, outcome.acked);
    // The leading run of rows confirmed, or refused too often to try again.
    let done = 0;
    while (done < rows.length && (outcome.acked[done] === true || givenUp.has(rows[done]?.id ?? -1))) done++;
    const ids = rows.slice(0, done).map((row) => row.id);
    await this.store.markPublished(q, ids, new Date(this.options.clock.now()));
    if (ids.length > 0) {
      this.options.logger.debug(
        { event: 'outbox.published', count: ids.length, firstId: ids[0], lastId: ids.at(-1) },
        'published pulse messages',
      );
    }
    const result = { attempted: rows.length, published: ids.length };
    return outcome.error ? { ...result, error: outcome.error } : result;
  }

  /**
   * Counts the broker's refusals of each row (a consumer's full queue that rejects publishes refuses every
   * message routed to it, for as long as it stays full). A row refused `MAX_REFUSALS` times is given up, with
   * an error logged: retrying it for ever would hold every later message back, and resend the whole batch to
   * every other consumer each time. Returns the ids given up now.
   */
  private countRefusals(rows: readonly OutboxRow[], acked: readonly (boolean | undefined)[]): Set<number> {
    const givenUp = new Set<number>();
    for (const [index, row] of rows.entries()) {
      if (acked[index] === true) this.refusals.delete(row.id);
      if (acked[index] !== false) continue;
      const refusals = (this.refusals.get(row.id) ?? 0) + 1;
      this.refusals.set(row.id, refusals);
      if (refusals < MAX_REFUSALS) continue;
      givenUp.add(row.id);
      this.refusals.delete(row.id);
      this.options.logger.error(
        {
          event: 'outbox.message-dropped',
          id: row.id,
          exchange: row.exchange,
          routingKey: row.routingKey,
          refusals,
        },
        'the broker refused this message too many times (a consumer queue full?); it is dropped',
      );
    }
    return givenUp;
  }

  private async pruneIfDue(): Promise<void> {
    const now = this.options.clock.now();
    if (now < this.nextPruneAt) return;
    this.nextPruneAt = now + this.settings.pruneIntervalMs;
    const pruned = await this.store.prune(new Date(now - this.settings.retentionMs), !this.enabled);
    if (pruned > 0)
      this.options.logger.info({ event: 'outbox.pruned', count: pruned }, 'pruned old outbox rows');
  }

  private idleWait(): number {
    const untilPrune = Math.max(0, this.nextPruneAt - this.options.clock.now());
    return this.enabled ? Math.min(this.settings.pollIntervalMs, untilPrune) : untilPrune;
  }

  private backoff(): number {
    const { reconnectInitialDelayMs: initial, reconnectMaxDelayMs: max } = this.settings;
    const base = Math.min(max, initial * 2 ** Math.min(this.failures - 1, 30));
    return base * (0.8 + Math.random() * 0.4);
  }
}
