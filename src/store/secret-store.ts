import { deepEqual } from '../domain/worker-type.js';
import { ConflictError } from '../errors.js';
import type { Database, Queryable } from './database.js';
import type { SecretCipher } from './secret-cipher.js';
import type { ChangeListener } from './worker-type-store.js';

export interface NewSecret {
  token: string;
  /** The client token of the loop's launch this secret bootstraps. */
  launchToken?: string;
  workerType: string;
  secrets: Record<string, unknown>;
  scopes: string[];
  expiration: Date;
}

export interface RedeemedSecret {
  workerType: string;
  secrets: Record<string, unknown>;
  scopes: string[];
  /** Where the loop launched the instance this secret bootstraps; absent for a secret made by `createSecret`. */
  placement?: { region: string; instanceType: string };
}

interface Row {
  token: string;
  launch_token: string | null;
  worker_type: string;
  secrets: string;
  scopes: string[];
  expiration: Date;
  consumed_at: Date | null;
}

const WIPED = '{}';

function redeemedOf(
  row: Row & { region: string | null; instance_type: string | null },
  secrets: Record<string, unknown>,
): RedeemedSecret {
  const secret = { workerType: row.worker_type, secrets, scopes: row.scopes };
  if (row.region === null || row.instance_type === null) return secret;
  return { ...secret, placement: { region: row.region, instanceType: row.instance_type } };
}

/**
 * Single-use secrets that bootstrap instances. Redeeming wipes the data but keeps the row (marked
 * consumed) until it expires, so `instanceStarted` still recognises the token after `getSecret`.
 */
export class SecretStore {
  constructor(
    private readonly db: Database,
    private readonly cipher: SecretCipher,
  ) {}

  /**
   * Stores a secret under `secret.token` (the URL's). An existing one is idempotent success only if it is
   * the same: worker type, secrets, scopes, and `bodyToken` (the body's token) equal to its token.
   */
  async create(secret: NewSecret, now: Date, bodyToken: string = secret.token): Promise<void> {
    const inserted = await this.db.query(
      `INSERT INTO secrets (token, worker_type, secrets, scopes, expiration, created_at)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (token) DO NOTHING RETURNING token`,
      [
        secret.token,
        secret.workerType,
        this.cipher.seal(secret.secrets),
        JSON.stringify(secret.scopes),
        secret.expiration,
        now,
      ],
    );
    if (inserted.length > 0) return;
    const rows = await this.db.query<Row>('SELECT * FROM secrets WHERE token = $1', [secret.token]);
    const existing = rows[0];
    if (existing?.consumed_at != null) {
      // Kept until it expires so instanceStarted still knows it; never armed again (the original, which
      // deleted redeemed secrets, let a re-created token be redeemed twice).
      throw new ConflictError('This secret was already redeemed or removed: a token is single-use', {
        error: 'Secret already exists with different definition',
      });
    }
    const same =
      existing !== undefined &&
      bodyToken === existing.token &&
      existing.worker_type === secret.workerType &&
      deepEqual(existing.scopes, secret.scopes) &&
      deepEqual(this.cipher.open(existing.secrets), secret.secrets);
    if (!same) {
      throw new ConflictError('Secret already exists with different definition', {
        error: 'Secret already exists with different definition',
      });
    }
  }

  /** Inserts fresh secrets (one statement) inside the caller's transaction (the loop, with their launches). */
  async insert(tx: Queryable, secrets: readonly NewSecret[], now: Date): Promise<void> {
    if (secrets.length === 0) return;
    await tx.query(
      `INSERT INTO secrets (token, worker_type, secrets, scopes, expiration, created_at, launch_token)
       SELECT u.token, u.worker_type, u.secrets, u.scopes, u.expiration, $6, u.launch_token
       FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $5::timestamptz[], $7::text[])
         AS u (token, worker_type, secrets, scopes, expiration, launch_token)`,
      [
        secrets.map((s) => s.token),
        secrets.map((s) => s.workerType),
        secrets.map((s) => this.cipher.seal(s.secrets)),
        secrets.map((s) => JSON.stringify(s.scopes)),
        secrets.map((s) => s.expiration),
        now,
        secrets.map((s) => s.launchToken ?? null),
      ],
    );
  }

  /**
   * Returns the secret once: undefined when unknown, expired or already redeemed. With `answer`, returns
   * what it makes of the secret, in the redeeming transaction: if it throws, the secret stays redeemable
   * (the worker's retry must not find its only secret spent by a failure it never saw the answer of).
   * `answer` reads only through `tx`: on PGlite, a query outside the transaction would wait for it forever.
   */
  async redeem(token: string, now: Date): Promise<RedeemedSecret | undefined>;
  async redeem<T>(
    token: string,
    now: Date,
    answer: (secret: RedeemedSecret, tx: Queryable) => Promise<T>,
  ): Promise<T | undefined>;
  async redeem<T>(
    token: string,
    now: Date,
    answer?: (secret: RedeemedSecret, tx: Queryable) => Promise<T>,
  ): Promise<T | RedeemedSecret | undefined> {
    return this.db.transaction(async (tx) => {
      // The launch's placement in the same statement: every booting worker redeems once. The row lock
      // makes concurrent redeemers wait for this transaction, then find the secret consumed.
      const rows = await tx.query<Row & { region: string | null; instance_type: string | null }>(
        `SELECT s.*, l.region, l.instance_type FROM secrets s
           LEFT JOIN launches l ON l.client_token = s.launch_token
         WHERE s.token = $1 AND s.consumed_at IS NULL AND s.expiration >= $2 FOR UPDATE OF s`,
        [token, now],
      );
      const row = rows[0];
      if (!row) return undefined;
      const secret = redeemedOf(row, this.cipher.open(row.secrets));
      const answered = answer ? await answer(secret, tx) : secret;
      await tx.query('UPDATE secrets SET consumed_at = $2, secrets = $3 WHERE token = $1', [
        token,
        now,
        WIPED,
      ]);
      return answered;
    });
  }

  /**
   * On `removeWorkerType`, in its transaction: the unredeemed secrets of the loop's launches of that worker
   * type can no longer be redeemed. Their instances are being terminated, and a worker that boots meanwhile
   * must not get credentials for a worker type nobody defines (it shuts down when `getSecret` fails).
   */
  readonly removalListener: ChangeListener = async (tx, change) => {
    if (change.event !== 'removed') return;
    await tx.query(
      `UPDATE secrets SET consumed_at = $2, secrets = $3
       WHERE worker_type = $1 AND consumed_at IS NULL AND launch_token IS NOT NULL`,
      [change.workerType, change.at, WIPED],
    );
  };

  /** Makes the secret unredeemable (removeSecret); idempotent. */
  async discard(token: string, now: Date): Promise<void> {
    await this.db.query(
      `UPDATE secrets SET consumed_at = coalesce(consumed_at, $2), secrets = $3 WHERE token = $1`,
      [token, now, WIPED],
    );
  }

  /** Makes the secret of a launch unredeemable: the launch failed, so no instance will ever ask for it. */
  async discardForLaunch(tx: Queryable, launchToken: string, now: Date): Promise<void> {
    await tx.query(
      `UPDATE secrets SET consumed_at = coalesce(consumed_at, $2), secrets = $3 WHERE launch_token = $1`,
      [launchToken, now, WIPED],
    );
  }

  /**
   * Gives the secrets of launches about to be retried a new `expiration`: an instance launched by a late
   * retry gets as long to redeem its secret as any other (§D.9: within 40 minutes of its launch).
   */
  async renewForLaunches(launchTokens: readonly string[], expiration: Date): Promise<void> {
    if (launchTokens.length === 0) return;
    await this.db.query(
      `UPDATE secrets SET expiration = $2 WHERE launch_token = ANY($1::text[]) AND consumed_at IS NULL`,
      [launchTokens, expiration],
    );
  }

  /**
   * Records that an instance booted with this token, in one statement; returns the token's worker type, or
   * undefined (nothing recorded) for a token this service never issued, or that expired or was deleted.
   * Redeemed is fine: workers call instanceStarted after getSecret. One check-in per token, the first: the
   * token is readable from user data, so a later one naming another instance is not believed.
   */
  async recordCheckIn(instanceId: string, token: string, now: Date): Promise<string | undefined> {
    const rows = await this.db.query<{ worker_type: string }>(
      `WITH secret AS (SELECT token, worker_type FROM secrets WHERE token = $2 AND expiration >= $3),
       recorded AS (
         INSERT INTO instance_checkins (instance_id, token, worker_type, checked_in_at)
         SELECT $1, token, worker_type, $3 FROM secret ON CONFLICT (token) DO NOTHING)
       SELECT worker_type FROM secret`,
      [instanceId, token, now],
    );
    return rows[0]?.worker_type;
  }

  /** Secrets of `workerType` issued but not yet redeemed nor expired. */
  async outstanding(workerType: string, now: Date): Promise<number> {
    const rows = await this.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM secrets WHERE worker_type = $1 AND consumed_at IS NULL AND expiration >= $2`,
      [workerType, now],
    );
    return rows[0]?.n ?? 0;
  }

  /** Secrets that expired unredeemed in [from, to): bootstraps that never happened. */
  async expiredUnredeemed(from: Date, to: Date): Promise<number> {
    const rows = await this.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM secrets WHERE consumed_at IS NULL AND expiration >= $1 AND expiration < $2`,
      [from, to],
    );
    return rows[0]?.n ?? 0;
  }

  /** Deletes rows that expired before `before` (redeemed or not), and their check-ins; returns how many. */
  async deleteExpired(before: Date): Promise<number> {
    const rows = await this.db.query('DELETE FROM secrets WHERE expiration < $1 RETURNING token', [before]);
    return rows.length;
  }
}
