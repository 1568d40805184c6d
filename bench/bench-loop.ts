import type { VirtualClock } from '../src/clock/virtual-clock.js';
import { type Config, loadConfig, type Strategy } from '../src/config/config.js';
import { type Ec2CallEvent, Ec2Gateway, type Ec2GatewayOptions } from '../src/ec2/ec2-gateway.js';
import { createLogger } from '../src/log/logger.js';
import { Runtime } from '../src/main.js';
import type { DemandCheck } from '../src/provisioner/next-iteration.js';
import type { IterationReport, ReconcilePass } from '../src/provisioner/reconcile-pass.js';
import { TaskclusterQueue } from '../src/queue/taskcluster-queue.js';
import { Random } from '../src/simulator/random.js';
import type { Database } from '../src/store/database.js';
import { migrate } from '../src/store/migrate.js';
import { openPgliteDatabase } from '../src/store/pglite-database.js';
import { CountingDatabase } from './counting-database.js';
import { CountingQueue } from './counting-queue.js';
import { Ec2CallTally } from './ec2-call-tally.js';
import { VirtualTimeDriver } from './virtual-time-driver.js';

export interface BenchLoopOptions {
  clock: VirtualClock;
  /** The simulated world's URL: EC2 and the queue both answer there. */
  worldUrl: string;
  provisionerId: string;
  regions: readonly string[];
  strategy: Strategy;
  /** Seeds the classic strategy's draws and the gateway's back-off jitter. */
  seed: number | string;
  /** Defaults to a fresh, migrated PGlite in memory. */
  database?: Database;
  /** Extra gateway options (a test shortens the back-off); the real budget and retries otherwise. */
  ec2Options?: Partial<Ec2GatewayOptions>;
  env?: Record<string, string>;
}

/**
 * The product's own provisioning loop (Runtime, ReconcilePass, the real gateway over the AWS SDK, the
 * queue through taskcluster-client, a real database) wired for a benchmark: every real I/O port is counted
 * so a VirtualTimeDriver can run passes in virtual time, and every EC2 call attempt is tallied.
 */
export class BenchLoop {
  readonly calls = new Ec2CallTally();

  private constructor(
    readonly config: Config,
    readonly runtime: Runtime,
    readonly pass: ReconcilePass,
    /** The loop's demand check between iterations (undefined when off, as under classic). */
    readonly demandCheck: DemandCheck | undefined,
    readonly driver: VirtualTimeDriver,
    readonly db: CountingDatabase,
    readonly queue: CountingQueue,
  ) {}

  static async start(options: BenchLoopOptions): Promise<BenchLoop> {
    const config = loadConfig({
      PROVISIONER_ID: options.provisionerId,
      ALLOWED_REGIONS: options.regions.join(','),
      AWS_ENDPOINT_URL_EC2: options.worldUrl,
      TASKCLUSTER_ROOT_URL: options.worldUrl,
      TASKCLUSTER_CLIENT_ID: 'static/bench',
      TASKCLUSTER_ACCESS_TOKEN: 'bench-access-token',
      ITERATION_INTERVAL: '60',
      PROVISIONING_STRATEGY: options.strategy,
      LOG_LEVEL: 'silent',
      ...options.env,
    });
    const inner = options.database ?? (await openMigratedPglite());
    const db = new CountingDatabase(inner);
    const queue = new CountingQueue(new TaskclusterQueue(options.worldUrl, config.credentials));
    const jitter = Random.stream(options.seed, 'gateway-jitter');
    const draws = Random.stream(options.seed, 'classic-draws');
    let tally: Ec2CallTally | undefined;
    const runtime = new Runtime({
      config,
      db,
      logger: createLogger('silent'),
      clock: options.clock,
      queue,
      ec2Options: {
        credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
        random: () => jitter.next(),
        ...options.ec2Options,
        onCall: (event: Ec2CallEvent) => tally?.record(event),
      },
    });
    const gateway = runtime.ec2;
    if (!(gateway instanceof Ec2Gateway)) throw new Error('The benchmark needs the real EC2 gateway');
    const driver = new VirtualTimeDriver({
      clock: options.clock,
      probes: [() => gateway.inFlightCalls, () => db.inFlight, () => queue.inFlight],
    });
    const { pass, demandCheck } = runtime.provisioning(queue, { random: () => draws.next() });
    const loop = new BenchLoop(config, runtime, pass, demandCheck, driver, db, queue);
    tally = loop.calls;
    return loop;
  }

  /** One iteration of the loop, driven in virtual time (it may sleep on budgets and back-offs). */
  iterate(): Promise<IterationReport> {
    return this.driver.run(this.pass.run());
  }

  /** Runs `work` (e.g. defining a worker type through the API's service) under the driver. */
  drive<T>(work: Promise<T>): Promise<T> {
    return this.driver.run(work);
  }

  async close(): Promise<void> {
    await this.runtime.close();
  }
}

export async function openMigratedPglite(): Promise<Database> {
  const db = await openPgliteDatabase();
  await migrate(db);
  return db;
}
