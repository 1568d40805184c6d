/**
 * The composition root: every port and service is constructed here, and only here. Constructors do no I/O;
 * `openDatabase` and `start*` functions do.
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { ApiMethod } from './api/api-method.js';
import { buildApp } from './api/app.js';
import { DatabaseNonceStore } from './api/auth/database-nonce-store.js';
import { HawkAuthenticator } from './api/auth/hawk-authenticator.js';
import { secretMethods } from './api/methods/secret-methods.js';
import { statusMethods } from './api/methods/status-methods.js';
import { workerTypeHistoryMethods, workerTypeMethods } from './api/methods/worker-type-methods.js';
import { type Clock, RealClock } from './clock/clock.js';
import type { Config } from './config/config.js';
import { Ec2Gateway, type Ec2GatewayOptions } from './ec2/ec2-gateway.js';
import type { Ec2Port } from './ec2/ec2-port.js';
import { eventSchemaDocuments } from './events/event-schemas.js';
import { EXCHANGES_REFERENCE_PATH, exchangesReference } from './events/exchanges-reference.js';
import { OutboxPublisher } from './events/outbox-publisher.js';
import { OutboxWriter } from './events/outbox-writer.js';
import type { Logger } from './log/logger.js';
import { SecretService } from './services/secret-service.js';
import { StatusService } from './services/status-service.js';
import { WorkerTypeService } from './services/worker-type-service.js';
import type { Database } from './store/database.js';
import { FleetView } from './store/fleet-view.js';
import { migrate } from './store/migrate.js';
import { openPgliteDatabase } from './store/pglite-database.js';
import { PostgresDatabase } from './store/postgres-database.js';
import { RemovalStore } from './store/removal-store.js';
import { SecretCipher } from './store/secret-cipher.js';
import { SecretStore } from './store/secret-store.js';
import { WorkerTypeStore } from './store/worker-type-store.js';

/** PostgreSQL when DATABASE_URL is set, else PGlite files under DATA_DIR; migrated before use. */
export async function openDatabase(config: Config, logger: Logger): Promise<Database> {
  const db = config.databaseUrl
    ? new PostgresDatabase(config.databaseUrl)
    : await openPgliteDatabase(join(config.dataDir, 'pglite'));
  const applied = await migrate(db);
  logger.info({ event: 'database.ready', engine: db.engine, migrationsApplied: applied });
  return db;
}

export interface RuntimeDeps {
  config: Config;
  db: Database;
  logger: Logger;
  /** The service's time (virtual or accelerated in the sandbox and benchmarks). */
  clock?: Clock;
  ec2?: Ec2Port;
  /** Extra gateway options (credentials for the simulator, metrics observers). */
  ec2Options?: Partial<Ec2GatewayOptions>;
}

/** Everything the processes share, wired once. */
export class Runtime {
  readonly clock: Clock;
  readonly ec2: Ec2Port;
  readonly publisher: OutboxPublisher;
  readonly outbox: OutboxWriter;
  readonly removals: RemovalStore;
  readonly workerTypeStore: WorkerTypeStore;
  readonly secretStore: SecretStore;
  readonly fleetView: FleetView;
  readonly workerTypes: WorkerTypeService;
  readonly secrets: SecretService;
  readonly status: StatusService;

  constructor(readonly deps: RuntimeDeps) {
    const { config, db } = deps;
    this.clock = deps.clock ?? new RealClock();
    this.ec2 =
      deps.ec2 ??
      new Ec2Gateway({
        regions: config.allowedRegions,
        clock: this.clock,
        ...(config.ec2Endpoint ? { endpoint: config.ec2Endpoint } : {}),
        ...deps.ec2Options,
      });
    this.publisher = new OutboxPublisher({
      db,
      clock: this.clock,
      logger: deps.logger,
      pulseUrl: config.pulseUrl,
      namespace: config.pulseNamespace,
    });
    this.outbox = new OutboxWriter({ logger: deps.logger, onEnqueued: () => this.publisher.notify() });
    this.removals = new RemovalStore(db);
    // Definition, version, event and queued cleanup commit together.
    this.workerTypeStore = new WorkerTypeStore(db, [this.outbox.workerTypeListener, this.removals.listener]);
    this.secretStore = new SecretStore(db, new SecretCipher(config.secretsEncryptionKey));
    this.fleetView = new FleetView(db);
    this.workerTypes = new WorkerTypeService(this.workerTypeStore, this.ec2, this.clock, {
      allowedRegions: config.allowedRegions,
      awsKeyPrefix: config.awsKeyPrefix,
      awsInstancePubkey: config.awsInstancePubkey,
      provisionerId: config.provisionerId,
      provisionerBaseUrl: `${config.publicUrl}/v1`,
      taskclusterRootUrl: config.taskclusterRootUrl ?? config.publicUrl,
    });
    this.secrets = new SecretService(this.secretStore, this.workerTypeStore, this.clock, {
      provisionerId: config.provisionerId,
      credentials: config.credentials,
      workerCredentialLifetimeMs: config.workerCredentialLifetimeMs,
    });
    // Stale after three missed intervals (or one iteration's time limit, if longer).
    const staleAfterMs =
      Math.max(3 * config.iterationIntervalMs, config.maxIterationMs) + config.iterationIntervalMs;
    this.status = new StatusService(this.workerTypeStore, this.fleetView, this.clock, staleAfterMs);
  }

  get config(): Config {
    return this.deps.config;
  }

  get logger(): Logger {
    return this.deps.logger;
  }

  apiMethods(): ApiMethod[] {
    return [
      ...workerTypeMethods(this.workerTypes, this.status),
      ...workerTypeHistoryMethods(this.workerTypes),
      ...secretMethods(this.secrets),
      ...statusMethods(this.status),
    ];
  }

  /** The HTTP app. Hawk checks client timestamps against real time, whatever clock the service runs on. */
  buildApiApp(): Promise<FastifyInstance> {
    const realClock = new RealClock();
    const authenticator = new HawkAuthenticator({
      clients: this.config.staticClients,
      nonces: new DatabaseNonceStore({ db: this.deps.db, clock: realClock }),
      clock: realClock,
    });
    return buildApp({
      methods: this.apiMethods(),
      authenticator,
      clock: this.clock,
      logger: this.logger,
      trustProxy: this.config.trustProxy,
      documents: {
        [EXCHANGES_REFERENCE_PATH]: exchangesReference(this.config.pulseNamespace),
        ...eventSchemaDocuments(),
      },
    });
  }

  async close(): Promise<void> {
    await this.publisher.stop();
    if (this.ec2 instanceof Ec2Gateway) this.ec2.destroy();
    await this.deps.db.close();
  }
}
