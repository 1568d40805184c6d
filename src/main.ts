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
import { adminMethods } from './api/methods/admin-methods.js';
import { planMethods } from './api/methods/plan-methods.js';
import { secretMethods } from './api/methods/secret-methods.js';
import { PING_METHOD, statusMethods } from './api/methods/status-methods.js';
import { workerTypeHistoryMethods, workerTypeMethods } from './api/methods/worker-type-methods.js';
import { type UiPluginOptions, uiPlugin } from './api/ui-plugin.js';
import { InstanceCatalog } from './catalog/instance-catalog.js';
import { type Clock, RealClock } from './clock/clock.js';
import type { Config } from './config/config.js';
import { Ec2Gateway, type Ec2GatewayOptions } from './ec2/ec2-gateway.js';
import type { Ec2Port } from './ec2/ec2-port.js';
import { eventSchemaDocuments } from './events/event-schemas.js';
import { EXCHANGES_REFERENCE_PATH, exchangesReference } from './events/exchanges-reference.js';
import { OutboxPublisher } from './events/outbox-publisher.js';
import { OutboxWriter } from './events/outbox-writer.js';
import type { Logger } from './log/logger.js';
import { Metrics } from './metrics/metrics.js';
import { metricsPlugin } from './metrics/metrics-plugin.js';
import {
  buildProvisioning,
  type Provisioning,
  type ProvisioningOptions,
} from './provisioner/build-provisioning.js';
import type { ReconcilePass } from './provisioner/reconcile-pass.js';
import type { QueuePort } from './queue/queue-port.js';
import { TaskclusterQueue } from './queue/taskcluster-queue.js';
import { AdminService } from './services/admin-service.js';
import { PlanPreviewer } from './services/plan-previewer.js';
import { SecretService } from './services/secret-service.js';
import { StatusService } from './services/status-service.js';
import { WorkerTypeService } from './services/worker-type-service.js';
import type { Database } from './store/database.js';
import { FleetView } from './store/fleet-view.js';
import { IterationStore } from './store/iteration-store.js';
import { LaunchStore } from './store/launch-store.js';
import { migrate } from './store/migrate.js';
import { openPgliteDatabase } from './store/pglite-database.js';
import { PostgresDatabase } from './store/postgres-database.js';
import { RemovalStore } from './store/removal-store.js';
import { SecretCipher } from './store/secret-cipher.js';
import { SecretStore } from './store/secret-store.js';
import { WorkerTypeStore } from './store/worker-type-store.js';

/**
 * How often the leader's lock session shows it is alive. The server ends a silent session after three of
 * these, and standbys try every half interval: so a standby takes over within one interval of a cut.
 */
export function lockHeartbeatMs(iterationIntervalMs: number): number {
  return Math.min(10_000, Math.max(2_000, Math.round(iterationIntervalMs / 6)));
}

/** PostgreSQL when DATABASE_URL is set, else PGlite files under DATA_DIR; migrated before use. */
export async function openDatabase(config: Config, logger: Logger): Promise<Database> {
  const db = config.databaseUrl
    ? new PostgresDatabase(
        config.databaseUrl,
        undefined,
        lockHeartbeatMs(config.iterationIntervalMs),
        config.maxIterationMs,
      )
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
  /** The queue to ask for pending tasks; by default the one at TASKCLUSTER_ROOT_URL, if configured. */
  queue?: QueuePort;
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
  readonly launchStore: LaunchStore;
  readonly iterationStore: IterationStore;
  readonly catalog = new InstanceCatalog();
  readonly metrics: Metrics;
  readonly queue: QueuePort | undefined;
  readonly planPreviewer: PlanPreviewer;
  readonly workerTypes: WorkerTypeService;
  readonly secrets: SecretService;
  readonly status: StatusService;
  readonly admin: AdminService;

  constructor(readonly deps: RuntimeDeps) {
    const { config, db } = deps;
    this.clock = deps.clock ?? new RealClock();
    this.metrics = new Metrics();
    this.ec2 = deps.ec2 ?? meteredEc2Gateway(deps, this.clock, this.metrics);
    this.publisher = new OutboxPublisher({
      db,
      clock: this.clock,
      logger: deps.logger,
      pulseUrl: config.pulseUrl,
      namespace: config.pulseNamespace,
    });
    this.outbox = new OutboxWriter({ logger: deps.logger, onEnqueued: () => this.publisher.notify() });
    this.metrics.setOutboxBacklogSource(() => this.publisher.backlog());
    const stores = buildStores(db, config, this.outbox);
    this.removals = stores.removals;
    this.iterationStore = stores.iterationStore;
    this.workerTypeStore = stores.workerTypeStore;
    this.secretStore = stores.secretStore;
    this.fleetView = stores.fleetView;
    this.launchStore = stores.launchStore;
    const services = buildServices(config, this.clock, this.ec2, this.metrics, stores);
    this.workerTypes = services.workerTypes;
    this.secrets = services.secrets;
    this.status = services.status;
    this.admin = services.admin;
    this.queue =
      deps.queue ??
      (config.taskclusterRootUrl
        ? new TaskclusterQueue(config.taskclusterRootUrl, config.credentials)
        : undefined);
    const queue = this.queue;
    // The API previews plans with a pass of its own: it only observes, never acts.
    let previewPass: ReconcilePass | undefined;
    const previewSource = (source: QueuePort) => (signal?: AbortSignal) => {
      previewPass ??= this.provisioning(source).pass;
      return previewPass.preview(signal);
    };
    this.planPreviewer = new PlanPreviewer(queue && { preview: previewSource(queue) }, this.clock);
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
      ...planMethods(this.planPreviewer),
      ...adminMethods(this.admin),
    ];
  }

  /** The provisioning loop: one pass per iteration, run by a runner that holds the leader lock. */
  provisioning(queue: QueuePort, options: ProvisioningOptions = {}): Provisioning {
    return buildProvisioning(this, queue, options);
  }

  /** The HTTP app. Hawk checks client timestamps against real time, whatever clock the service runs on. */
  buildApiApp(ui: UiPluginOptions = {}): Promise<FastifyInstance> {
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
      plugins: [metricsPlugin(this.metrics), uiPlugin(ui)],
    });
  }

  /** A process without the API (the loop alone) still serves /metrics and /ping for its operators. */
  buildMetricsApp(): Promise<FastifyInstance> {
    return buildApp({
      methods: [PING_METHOD],
      authenticator: { authenticate: async () => ({ kind: 'anonymous', scopes: [] }) },
      clock: this.clock,
      logger: this.logger,
      trustProxy: this.config.trustProxy,
      plugins: [metricsPlugin(this.metrics)],
    });
  }

  async close(): Promise<void> {
    await this.publisher.stop();
    if (this.ec2 instanceof Ec2Gateway) this.ec2.destroy();
    await this.deps.db.close();
  }
}

/** The gateway to EC2, every call attempt counted by the metrics as well as by the caller's own observer. */
function meteredEc2Gateway(deps: RuntimeDeps, clock: Clock, metrics: Metrics): Ec2Gateway {
  const { config } = deps;
  const onCall = deps.ec2Options?.onCall;
  return new Ec2Gateway({
    regions: config.allowedRegions,
    clock,
    ...(config.ec2Endpoint ? { endpoint: config.ec2Endpoint } : {}),
    ...deps.ec2Options,
    onCall: (event) => {
      metrics.observeEc2Call(event);
      onCall?.(event);
    },
  });
}

function buildStores(db: Database, config: Config, outbox: OutboxWriter) {
  const removals = new RemovalStore(db);
  const iterationStore = new IterationStore(db);
  const cipher = new SecretCipher(config.secretsEncryptionKey);
  const secretStore = new SecretStore(db, cipher);
  // Definition, version, event and queued cleanup commit together.
  const workerTypeStore = new WorkerTypeStore(db, [
    outbox.workerTypeListener,
    removals.listener,
    iterationStore.breakerResetListener,
    secretStore.removalListener,
  ]);
  const fleetView = new FleetView(db);
  const launchStore = new LaunchStore(db, cipher);
  return { removals, iterationStore, workerTypeStore, secretStore, fleetView, launchStore };
}

function buildServices(
  config: Config,
  clock: Clock,
  ec2: Ec2Port,
  metrics: Metrics,
  stores: ReturnType<typeof buildStores>,
) {
  const workerTypes = new WorkerTypeService(stores.workerTypeStore, ec2, clock, {
    allowedRegions: config.allowedRegions,
    awsKeyPrefix: config.awsKeyPrefix,
    awsInstancePubkey: config.awsInstancePubkey,
    provisionerId: config.provisionerId,
    provisionerBaseUrl: `${config.publicUrl}/v1`,
    taskclusterRootUrl: config.taskclusterRootUrl ?? config.publicUrl,
  });
  const secrets = new SecretService(stores.secretStore, stores.workerTypeStore, clock, {
    provisionerId: config.provisionerId,
    credentials: config.credentials,
    workerCredentialLifetimeMs: config.workerCredentialLifetimeMs,
    onRedeemed: () => metrics.observeSecrets('redeemed'),
  });
  // Stale after three missed intervals (or one iteration's time limit, if longer).
  const staleAfterMs =
    Math.max(3 * config.iterationIntervalMs, config.maxIterationMs) + config.iterationIntervalMs;
  const status = new StatusService(
    stores.workerTypeStore,
    stores.fleetView,
    stores.iterationStore,
    clock,
    staleAfterMs,
  );
  const admin = new AdminService({
    fleet: stores.fleetView,
    iterations: stores.iterationStore,
    launches: stores.launchStore,
    secrets: stores.secretStore,
    status,
    clock,
  });
  return { workerTypes, secrets, status, admin };
}
