import taskcluster from 'taskcluster-client';
import type { Clock } from '../clock/clock.js';
import type { Credentials } from '../config/config.js';
import { definitionOf, workerCredentialScopes } from '../domain/worker-type.js';
import { NotFoundError, UnavailableError } from '../errors.js';
import type { SecretStore } from '../store/secret-store.js';
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
   * Redeems the secret once and hands out temporary credentials for the worker: `assume:worker-type:...`,
   * `assume:worker-id:*` and the worker type's scopes (`workerCredentialScopes`), signed with the
   * provisioner's own credentials.
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
    const secret = await this.secrets.redeem(token, now);
    if (!secret) throw new NotFoundError('No such secret');
    this.options.onRedeemed?.();
    const workerType = await this.workerTypes.get(secret.workerType);
    const scopes = workerCredentialScopes(
      this.options.provisionerId,
      secret.workerType,
      workerType ? definitionOf(workerType) : undefined,
      secret.placement,
    );
    const credentials = taskcluster.createTemporaryCredentials({
      start: now,
      expiry: new Date(now.getTime() + this.options.workerCredentialLifetimeMs),
      scopes,
      credentials: { clientId: own.clientId, accessToken: own.accessToken },
    });
    return {
      data: secret.secrets,
      scopes: secret.scopes,
      credentials: {
        clientId: credentials.clientId,
        accessToken: credentials.accessToken,
        certificate: credentials.certificate,
      },
    };
  }

  /** Records that an instance booted with this token; 404 for tokens this service never issued. */
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
