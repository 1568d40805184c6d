/**
 * `aws-provisioner sandbox` (what `npm start` runs): the simulated EC2 and queue, the API, the admin UI and the
 * provisioning loop in one process, on an accelerated clock, with demo worker types and load. No AWS account.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { ScaledClock } from '../clock/scaled-clock.js';
import type { Config, StaticClient } from '../config/config.js';
import { createLogger } from '../log/logger.js';
import { openDatabase, Runtime } from '../main.js';
import { listen, localUrl, onShutdown } from '../server.js';
import { DEMO_PROVISIONER_ID, demoScenario, demoWorkerTypes } from '../simulator/scenarios/demo-scenario.js';
import { SimulatedWorld } from '../simulator/simulated-world.js';
import { configFrom } from './service-commands.js';

interface SandboxOptions {
  port: string;
  host: string;
  speed: number;
  seed?: string;
  dataDir?: string;
  logLevel: string;
}

function parseSpeed(value: string): number {
  const speed = Number(value);
  if (!(speed >= 1 && speed <= 3600)) throw new InvalidArgumentError('must be a number from 1 to 3600');
  return speed;
}

export function registerSandboxCommand(program: Command): void {
  program
    .command('sandbox', { isDefault: true })
    .description(
      'Run everything in one process against the built-in simulator: the API, the admin UI, the provisioning loop, ' +
        'a simulated EC2 and Taskcluster queue with demo worker types and load. Needs no AWS account (npm start).',
    )
    .addOption(
      new Option('-p, --port <port>', 'HTTP port of the API and UI').default(process.env.PORT ?? '5557'),
    )
    .addOption(
      // Loopback by default: the UI hands the sandbox's root credentials to whoever asks.
      new Option('--host <address>', 'address the API and UI listen on (0.0.0.0: every interface)').default(
        process.env.HOST ?? '127.0.0.1',
      ),
    )
    .addOption(
      new Option('--speed <factor>', 'simulated time runs this many times faster than real time')
        .argParser(parseSpeed)
        .default(60),
    )
    .addOption(new Option('--seed <seed>', 'seed of the simulated world (same seed, same world)'))
    .addOption(
      new Option(
        '--data-dir <dir>',
        'keep the database in this directory (default: in memory, fresh each run)',
      ),
    )
    .addOption(
      new Option('--log-level <level>', 'log level of the JSON logs on stdout')
        .choices(['fatal', 'error', 'warn', 'info', 'debug'])
        .default(process.env.LOG_LEVEL ?? 'warn'),
    )
    .action((options: SandboxOptions) => runSandbox(options));
}

async function runSandbox(options: SandboxOptions): Promise<void> {
  const clock = new ScaledClock({ factor: options.speed });
  const provisionerId = process.env.PROVISIONER_ID ?? DEMO_PROVISIONER_ID;
  const world = await SimulatedWorld.create({
    clock,
    scenario: demoScenario({ provisionerId, ...(options.seed ? { seed: options.seed } : {}) }),
  });
  const simulator = await world.start(0);
  const { root, own } = sandboxClients(provisionerId);
  const config = sandboxConfig(options, { provisionerId, simulatorUrl: simulator.url, world, root, own });
  const runtime = await sandboxRuntime(config, options.dataDir, clock);
  await defineDemoWorkerTypes(runtime);
  const app = await runtime.buildApiApp({
    sandboxCredentials: { clientId: root.clientId, accessToken: root.accessToken },
  });
  await runtime.publisher.start();
  const { runner } = runtime.provisioning(runtime.queue as NonNullable<Runtime['queue']>);
  const url = await listen(app, config.port, options.host);
  runner.start();
  printBanner(url, root, simulator.url, options.speed);
  onShutdown(async () => {
    await runner.stop();
    await app.close();
    await world.stop();
    await runtime.close();
  });
}

/** `root` holds every scope (the banner shows its credentials); `own` is the provisioner's. */
function sandboxClients(provisionerId: string): { root: StaticClient; own: StaticClient } {
  const root: StaticClient = {
    clientId: 'root',
    accessToken: process.env.SANDBOX_ROOT_ACCESS_TOKEN ?? randomBytes(24).toString('base64url'),
    scopes: ['*'],
  };
  const own: StaticClient = {
    clientId: 'static/aws-provisioner',
    accessToken: randomBytes(24).toString('base64url'),
    scopes: [`assume:worker-type:${provisionerId}/*`, 'assume:worker-id:*'],
  };
  return { root, own };
}

interface SandboxConfigInputs {
  provisionerId: string;
  simulatorUrl: string;
  world: SimulatedWorld;
  root: StaticClient;
  own: StaticClient;
}

function sandboxConfig(
  options: SandboxOptions,
  { provisionerId, simulatorUrl, world, root, own }: SandboxConfigInputs,
): Config {
  return configFrom(
    {
      PORT: options.port,
      // Where it listens: the simulated workers fetch their secrets there.
      PUBLIC_URL: process.env.PUBLIC_URL ?? localUrl(options.host, options.port),
      STATIC_CLIENTS: JSON.stringify([root, own]),
      TASKCLUSTER_CLIENT_ID: own.clientId,
      TASKCLUSTER_ACCESS_TOKEN: own.accessToken,
      TASKCLUSTER_ROOT_URL: simulatorUrl,
      AWS_ENDPOINT_URL_EC2: simulatorUrl,
      ALLOWED_REGIONS: world.ec2.regionNames().join(','),
      PROVISIONER_ID: provisionerId,
      LOG_LEVEL: options.logLevel,
      ...(options.dataDir ? { DATA_DIR: join(options.dataDir) } : {}),
    },
    // The sandbox always runs on PGlite: a DATABASE_URL meant for the services is neither used nor checked.
    ['DATABASE_URL'],
  );
}

async function sandboxRuntime(
  config: Config,
  dataDir: string | undefined,
  clock: ScaledClock,
): Promise<Runtime> {
  const logger = createLogger(config.logLevel);
  // PGlite either way: sandboxConfig read the environment without DATABASE_URL.
  const db = dataDir ? await openDatabase(config, logger) : await inMemory(logger);
  return new Runtime({
    config,
    logger,
    db,
    clock,
    ec2Options: { credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' } },
  });
}

/** Only those not defined yet: a kept --data-dir holds them from an earlier run. */
async function defineDemoWorkerTypes(runtime: Runtime): Promise<void> {
  for (const { workerType, definition } of demoWorkerTypes()) {
    if (!(await runtime.workerTypeStore.get(workerType)))
      await runtime.workerTypes.create(workerType, definition, 'sandbox');
  }
}

async function inMemory(logger: ReturnType<typeof createLogger>) {
  const { openPgliteDatabase } = await import('../store/pglite-database.js');
  const { migrate } = await import('../store/migrate.js');
  const db = await openPgliteDatabase();
  logger.info({
    event: 'database.ready',
    engine: 'pglite',
    inMemory: true,
    migrationsApplied: await migrate(db),
  });
  return db;
}

function printBanner(url: string, root: StaticClient, simulatorUrl: string, speed: number): void {
  console.log(
    [
      '',
      `aws-provisioner sandbox: ${url}`,
      '',
      `  Admin UI          ${url}/`,
      `  API               ${url}/api/aws-provisioner/v1/  (reference: ${url}/references/aws-provisioner/v1/api.json)`,
      `  Metrics           ${url}/metrics`,
      `  Root credentials  clientId=${root.clientId}  accessToken=${root.accessToken}`,
      `  Simulator         ${simulatorUrl}  (EC2 and queue; simulated time runs ${speed}x real time)`,
      '',
      '  Demo worker types are defined and their simulated tasks are arriving: watch capacity follow them.',
      '  Stop with Ctrl-C.',
      '',
    ].join('\n'),
  );
}
