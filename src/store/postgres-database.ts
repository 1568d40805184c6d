import pg from 'pg';
import type { Database, HeldLock, Queryable } from './database.js';

const INT8_OID = 20;
const CONNECT_TIMEOUT_MS = 10_000;
const IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000;

/** int8 as a JS number (as PGlite returns it): counts and ids here stay far below 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** The production engine: a pool of connections to a PostgreSQL server. */
export class PostgresDatabase implements Database {
  readonly engine = 'postgres' as const;
  private readonly pool: pg.Pool;

  constructor(
    private readonly connectionString: string,
    poolSize = 10,
    /**
     * The lock session is asked `SELECT 1` this often, and the lock counts as lost when no answer comes
     * within as long: a leader cut off from the server (no error, no close) stops within two of these,
     * rather than when TCP keepalive gives up.
     */
    private readonly lockHeartbeatMs = 10_000,
    /**
     * The server cancels a statement running longer (a lock wait that never ends): an iteration stuck on one
     * would otherwise hold the loop while its lock session, healthy, keeps the leadership.
     */
    statementTimeoutMs = 15 * 60_000,
  ) {
    // A server that accepts the connection but never answers must not hold a caller (or shutdown) for ever.
    this.pool = new pg.Pool({
      connectionString,
      max: poolSize,
      types,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      statement_timeout: statementTimeoutMs,
      // Transactions here wait on the database only, but for the outbox drain's, which waits on the broker
      // (`confirmTimeoutMs`, 10 s by default; a session ended past 60 s just resends its batch). One idle this
      // long is a process frozen or cut off mid-transaction, whose row locks (the leadership fence's) must not
      // wait for TCP keepalive (hours).
      idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_TIMEOUT_MS,
    });
    // An idle client that dies (server restart) must not crash the process; the pool replaces it.
    this.pool.on('error', () => {});
  }

  async query<Row>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    const result = await this.pool.query(sql, [...params]);
    return result.rows as Row[];
  }

  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work({
        query: async <Row>(sql: string, params: readonly unknown[] = []) =>
          (await client.query(sql, [...params])).rows as Row[],
      });
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  /** Holds the lock on a dedicated session: if that connection dies, PostgreSQL frees the lock. */
  async tryLock(key: number): Promise<HeldLock | null> {
    // TCP keepalive, so a session whose server or network died is noticed in minutes, not hours.
    const client = new pg.Client({
      connectionString: this.connectionString,
      types,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      // A server that does not answer within a heartbeat is down, while taking the lock too (the standby
      // tries again): neither a standby nor a shutdown waits on it for ever.
      connectionTimeoutMillis: this.lockHeartbeatMs,
      query_timeout: this.lockHeartbeatMs,
    });
    const lost = new AbortController();
    const lose = () => lost.abort(new Error('the leader lock was lost: its database session ended'));
    client.on('error', lose);
    client.on('end', lose);
    try {
      await client.connect();
      await this.endWhenSilent(client);
      const rows = (await client.query('SELECT pg_try_advisory_lock($1) AS locked', [key])).rows;
      if (!rows[0]?.locked) {
        await client.end();
        return null;
      }
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
    this.heartbeat(client, lost.signal, () => {
      lose();
      client.end().catch(() => {});
    });
    return {
      query: async <Row>(sql: string, params: readonly unknown[] = []) =>
        (await client.query(sql, [...params])).rows as Row[],
      isHeld: () => !lost.signal.aborted,
      lost: lost.signal,
      release: async () => {
        lose();
        await client.end().catch(() => {});
      },
    };
  }

  /**
   * The server ends the lock session once it hears nothing for three heartbeats, freeing the lock for a
   * standby after a network cut; otherwise it would wait for its TCP keepalive (two hours by Linux's
   * defaults). `idle_session_timeout` needs PostgreSQL 14; older servers keep the keepalive's delay.
   */
  private async endWhenSilent(client: pg.Client): Promise<void> {
    const timeout = `${3 * this.lockHeartbeatMs}ms`;
    await client.query(`SELECT set_config('idle_session_timeout', $1, false)`, [timeout]).catch(() => {});
  }

  /** Asks the lock session for a sign of life until `lost`; calls `dead` when one does not come in time. */
  private heartbeat(client: pg.Client, lost: AbortSignal, dead: () => void): void {
    let waiting: ReturnType<typeof setTimeout> | undefined;
    const beat = setInterval(() => {
      if (waiting !== undefined) return;
      waiting = setTimeout(dead, this.lockHeartbeatMs);
      waiting.unref();
      client.query('SELECT 1').then(
        () => {
          clearTimeout(waiting);
          waiting = undefined;
        },
        () => dead(),
      );
    }, this.lockHeartbeatMs);
    // Timers of their own must not keep a process alive that is otherwise done.
    beat.unref();
    lost.addEventListener('abort', () => {
      clearInterval(beat);
      clearTimeout(waiting);
    });
  }

  /** Autovacuum's job on a server. */
  async reclaim(): Promise<void> {}

  async close(): Promise<void> {
    await this.pool.end();
  }
}
