import taskcluster from 'taskcluster-client';
import type { Clock } from '../clock/clock.js';
import type { Credentials } from '../config/config.js';
import { definitionOf, workerCredentialScopes } from '../domain/worker-type.js';
import { NotFoundError, UnavailableError } from '../errors.js';
import type { Queryable } from '../store/database.js';
import type { RedeemedSecret, SecretStore } from '../store/secret-store.js';
import type { WorkerTypeStore } from '../store/worker-type-store.js';

export interface SecretServiceOptions {
  provisionerId: string;
  /** The provisioner's own permanent credentials; workers' temporary credentials are signed with them. */
  credentials: Credentials | undefined;
  workerCredentialLifetimeMs: number;
  /** Told of every secret redeemed (metrics). */
  onRedeemed?: () => void;
}

export interface WorkerCredentials {
  clientId: string;
  accessToken: string;
  certificate: string;
}

export interface SecretReply {
  data: Record<string, unknown>;
  scopes: string[];
  credentials: WorkerCredentials;
}

/** The secret use cases: one-time secrets that bootstrap instances, and their check-ins. */
export class SecretService {
  constructor(
    private readonly secrets: SecretStore,
    private readonly workerTypes: WorkerTypeStore,
    private readonly clock: Clock,
    private readonly options: SecretServiceOptions,
  ) {}

  async create(
    token: string,
    body: {
      workerType: string;
      secrets: Record<string, unknown>;
      scopes: string[];
      token: string;
      expiration: string;
    },
  ): Promise<void> {
    // As the original (spec §B.8): stored under the URL's token; the body's counts only against an
    // existing secret (a different one is a conflict).
    await this.secrets.create(
      {
        token,
        workerType: body.workerType,
        secrets: body.secrets,
        scopes: body.scopes,
        expiration: new Date(body.expiration),
      },
      this.now(),
      body.token,
    );
  }

  /**
   * Redeems the secret once and hands out temporary credentials for the worker, signed with the
   * provisioner's own credentials: `assume:worker-type:...` and `assume:worker-id:*`, plus, for the secret
   * of one of the loop's launches, the worker type's scopes merged with its region's and instance type's.
   * Everything is read and minted before the secret is marked used: a failure leaves it redeemable.
   */
  async redeem(token: string): Promise<SecretReply> {
    const own = this.options.credentials;
    // Checked before redeeming: a misconfigured service must not burn a worker's only chance.
    if (!own) {
      throw new UnavailableError(
        'This service has no Taskcluster credentials (TASKCLUSTER_CLIENT_ID/TASKCLUSTER_ACCESS_TOKEN) to sign worker credentials',
      );
    }
    const now = this.now();
    const reply = await this.secrets.redeem(token, now, async (secret, tx) => {
      const scopes = await this.scopesOf(secret, tx);
      const credentials = taskcluster.createTemporaryCredentials({
        start: now,
        expiry: new Date(now.getTime() + this.options.workerCredentialLifetimeMs),
        scopes,
        credentials: { clientId: own.clientId, accessToken: own.accessToken },
      });
      const { clientId, accessToken, certificate } = credentials;
      return {
        data: secret.secrets,
        scopes: secret.scopes,
        credentials: { clientId, accessToken, certificate },
      };
    });
    if (!reply) throw new NotFoundError('No such secret');
    this.options.onRedeemed?.();
    return reply;
  }

  /**
   * Only the two base scopes for a secret made by `createSecret` (spec §B.9), as the original: its scope
   * `aws-provisioner:create-secret:<workerType>` must not yield the worker type's scopes, and where its
   * instance runs is unknown anyway.
   */
  private async scopesOf(secret: RedeemedSecret, tx: Queryable): Promise<string[]> {
    const { provisionerId } = this.options;
    if (!secret.placement) return workerCredentialScopes(provisionerId, secret.workerType, undefined);
    const workerType = await this.workerTypes.get(secret.workerType, tx);
    const definition = workerType ? definitionOf(workerType) : undefined;
    return workerCredentialScopes(provisionerId, secret.workerType, definition, secret.placement);
  }

  /**
   * Records that an instance booted with this token (only the first instance a token names); 404 for a
   * token this service never issued, or that expired.
   */
  async instanceStarted(instanceId: string, token: string): Promise<void> {
    const workerType = await this.secrets.recordCheckIn(instanceId, token, this.now());
    if (!workerType) throw new NotFoundError('No such secret: this token was never issued or has expired');
  }

  async remove(token: string): Promise<void> {
    await this.secrets.discard(token, this.now());
  }

  private now(): Date {
    return new Date(this.clock.now());
  }
}
