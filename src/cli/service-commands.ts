import { type Command, InvalidArgumentError, Option } from 'commander';
import { type Config, ConfigError, loadConfig } from '../config/config.js';
import type { IterationPlan, WorkerTypePlan } from '../domain/plan-types.js';
import { createLogger } from '../log/logger.js';
import { openDatabase, Runtime } from '../main.js';
import { listen, onShutdown } from '../server.js';
import { reclaimPeriodically } from '../store/periodic-reclaim.js';

/**
 * Reads the environment (with command-line overrides; the variables named in `ignored` as if unset); a bad
 * configuration lists every problem and exits 2.
 */
export function configFrom(
  overrides: Record<string, string | undefined>,
  ignored: readonly string[] = [],
): Config {
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) as Record<
    string,
    string
  >;
  const env = { ...process.env };
  for (const name of ignored) delete env[name];
  try {
    return loadConfig({ ...env, ...defined });
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
}

function parsePort(value: string): string {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError('must be an integer from 0 to 65535');
  return value;
}

const portOption = () =>
  new Option('-p, --port <port>', 'HTTP port to listen on (overrides PORT)').argParser(parsePort);

async function startRuntime(config: Config): Promise<Runtime> {
  const logger = createLogger(config.logLevel);
  return new Runtime({ config, logger, db: await openDatabase(config, logger) });
}

/** The loop needs a queue to ask: refuse to start without one, saying which variable to set. */
function requireQueue(config: Config): void {
  if (!config.taskclusterRootUrl) {
    console.error(
      'Invalid configuration:\n  - TASKCLUSTER_ROOT_URL must be set: the loop asks that queue for pending tasks',
    );
    process.exit(2);
  }
}

async function runServices(config: Config, services: { api: boolean; loop: boolean }): Promise<void> {
  if (services.loop) requireQueue(config);
  const runtime = await startRuntime(config);
  const { logger } = runtime;
  await runtime.publisher.start();
  // The loop alone still serves /metrics and /ping on PORT.
  const app = services.api ? await runtime.buildApiApp() : await runtime.buildMetricsApp();
  const runner = services.loop && runtime.queue ? runtime.provisioning(runtime.queue).runner : undefined;
  runner?.start();
  // The loop reclaims with its hourly pruning; without it, PGlite would never reclaim dead rows.
  const stopReclaim = runner ? undefined : reclaimPeriodically(runtime.deps.db, runtime.clock, logger);
  logger.info({
    event: 'server.listening',
    url: await listen(app, config.port),
    publicUrl: config.publicUrl,
  });
  if (runner)
    logger.info({ event: 'loop.started', intervalMs: config.iterationIntervalMs, strategy: config.strategy });
  onShutdown(async () => {
    await runner?.stop();
    stopReclaim?.();
    await app.close();
    await runtime.close();
  });
}

/** Registered in this order, which is the order `--help` lists them in. */
export function registerServiceCommands(program: Command): void {
  registerServerCommand(program);
  registerProvisionerCommand(program);
  registerAllCommand(program);
  registerMigrateCommand(program);
  registerPlanCommand(program);
}

function registerServerCommand(program: Command): void {
  program
    .command('server')
    .description('Run the HTTP API and admin UI. Any number of replicas may share one PostgreSQL.')
    .addOption(portOption())
    .action((options: { port?: string }) =>
      runServices(configFrom({ PORT: options.port }), { api: true, loop: false }),
    );
}

function registerProvisionerCommand(program: Command): void {
  program
    .command('provisioner')
    .description(
      'Run the provisioning loop. Several may run against one PostgreSQL: one leads (an advisory lock), the others ' +
        'stand by and take over within one interval.',
    )
    .action(() => runServices(configFrom({}), { api: false, loop: true }));
}

function registerAllCommand(program: Command): void {
  program
    .command('all')
    .description('Run the API, the admin UI and the provisioning loop in one process.')
    .addOption(portOption())
    .action((options: { port?: string }) =>
      runServices(configFrom({ PORT: options.port }), { api: true, loop: true }),
    );
}

function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('Apply pending database migrations, then exit (the other commands also migrate on start).')
    .action(async () => {
      const config = configFrom({});
      const db = await openDatabase(config, createLogger(config.logLevel));
      await db.close();
    });
}

interface PlanOptions {
  workerType?: string;
  json?: boolean;
}

function registerPlanCommand(program: Command): void {
  program
    .command('plan')
    .description('Show what the next provisioning iteration would do and why, without doing it.')
    .option('-w, --worker-type <name>', 'only this worker type')
    .option('--json', 'print the plan as JSON (with every decision record)')
    .action((options: PlanOptions) => runPlan(options));
}

async function runPlan(options: PlanOptions): Promise<void> {
  const config = configFrom({ LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  requireQueue(config);
  const runtime = await startRuntime(config);
  try {
    const plan = await runtime.planPreviewer.plan();
    const shown = options.workerType
      ? plan.workerTypes.filter((p) => p.workerType === options.workerType)
      : plan.workerTypes;
    if (options.workerType && shown.length === 0) {
      console.error(`${options.workerType} is neither defined nor has resources: nothing to plan`);
      process.exitCode = 1;
    } else {
      console.log(
        options.json
          ? JSON.stringify(options.workerType ? shown[0] : plan, null, 2)
          : describePlan(plan, shown),
      );
    }
  } finally {
    await runtime.close();
  }
}

/** A human-readable plan: one block per worker type. */
export function describePlan(plan: IterationPlan, shown: readonly WorkerTypePlan[]): string {
  const lines = [
    `Plan at ${new Date(plan.now).toISOString()} (strategy ${plan.strategy}); observation ${plan.observation.stale ? 'STALE' : 'fresh'}` +
      (plan.observation.unavailableRegions.length > 0
        ? `, unavailable regions: ${plan.observation.unavailableRegions.join(', ')}`
        : ''),
  ];
  for (const p of shown) {
    const c = p.capacity;
    lines.push(
      '',
      `${p.workerType}${p.defined ? '' : ' (not defined)'}: pending tasks ${p.pendingTasks ?? 'unknown'}, capacity running ` +
        `${c.runningCapacity} / pending ${c.pendingCapacity} / requested ${c.requestedCapacity}, change ${p.change ?? 'n/a'}, ` +
        `spend $${p.hourlySpend.now.toFixed(4)}/h -> +$${p.hourlySpend.planned.toFixed(4)}/h`,
    );
    for (const l of p.launches) {
      lines.push(
        `  launch ${l.market} ${l.instanceType} in ${l.zone} at $${l.price}/h (max ${l.maxPrice ?? 'on-demand'})`,
      );
    }
    for (const t of p.terminations) lines.push(`  terminate ${t.instanceId} in ${t.region}: ${t.reason}`);
    for (const x of p.cancellations) lines.push(`  cancel ${x.spotRequestId} in ${x.region}: ${x.reason}`);
    for (const b of p.blocked) lines.push(`  ${b.rail}: ${b.message}`);
    lines.push(...describeOffers(p));
  }
  return lines.join('\n');
}

/** Why capacity went unmet, and the offers left out grouped by reason (`--json` lists every candidate). */
function describeOffers(p: WorkerTypePlan): string[] {
  const offers = p.record.offers;
  if (!offers) return [];
  const lines = offers.unmet ? [`  unmet: ${offers.unmet.message}`] : [];
  const excluded = new Map<string, typeof offers.candidates>();
  for (const c of offers.candidates) {
    if (c.excluded !== null) excluded.set(c.excluded, [...(excluded.get(c.excluded) ?? []), c]);
  }
  for (const [reason, [first, ...rest]] of excluded) {
    if (!first) continue;
    const example = `${first.market} ${first.instanceType} in ${first.zone}${first.detail ? ` (${first.detail})` : ''}`;
    lines.push(`  excluded, ${reason}: ${example}${rest.length > 0 ? ` and ${rest.length} more` : ''}`);
  }
  return lines;
}
