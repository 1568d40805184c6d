/**
 * The provisioning loop's part of the composition root: one pass per iteration, its launcher and
 * housekeeper, and the runner that holds the leader lock. Constructs only; nothing here does I/O.
 */
import type { Runtime } from '../main.js';
import { recordIterationMetrics } from '../metrics/record-iteration.js';
import type { QueuePort } from '../queue/queue-port.js';
import { LeaderFence } from '../store/leader-fence.js';
import { ObservationStore } from '../store/observation-store.js';
import { CapacityFailures } from './capacity-failures.js';
import { DemandWatch } from './demand-watch.js';
import { Housekeeper } from './housekeeper.js';
import { Launcher } from './launcher.js';
import { LoopRunner } from './loop-runner.js';
import type { DemandCheck } from './next-iteration.js';
import { PriceBook } from './price-book.js';
import { type IterationReport, ReconcilePass } from './reconcile-pass.js';

export interface ProvisioningOptions {
  random?: () => number;
  onIteration?: (report: IterationReport) => void;
}

export interface Provisioning {
  pass: ReconcilePass;
  runner: LoopRunner;
  demandCheck: DemandCheck | undefined;
  fence: LeaderFence;
}

export function buildProvisioning(
  runtime: Runtime,
  queue: QueuePort,
  options: ProvisioningOptions = {},
): Provisioning {
  const { config, db, logger } = runtime.deps;
  const watch = new DemandWatch(queue, config.provisionerId);
  const demandCheck =
    config.demandCheckMs > 0
      ? { everyMs: config.demandCheckMs, outgrown: (signal?: AbortSignal) => watch.outgrown(signal) }
      : undefined;
  const observations = new ObservationStore(db);
  const fence = new LeaderFence();
  const pass = buildPass(runtime, queue, watch, { observations, fence }, options);
  const runner = new LoopRunner({
    db,
    clock: runtime.clock,
    logger,
    intervalMs: config.iterationIntervalMs,
    ...(demandCheck && { demandCheck }),
    onEarlyIteration: (workerType) => runtime.metrics.observeEarlyIteration(workerType),
    maxIterationMs: config.maxIterationMs,
    onLeadership: async (lock) => {
      await fence.claim(lock);
      // Another leader may have written observations since this process last did.
      observations.reset();
    },
    // The new leader reports the worker types now: summed over replicas, two would count twice.
    onLeadershipLost: () => {
      fence.markLost();
      runtime.metrics.setWorkerTypeFigures([]);
    },
    iterate: async (signal) => {
      await pass.run(signal);
    },
  });
  return { pass, runner, demandCheck, fence };
}

function buildPass(
  runtime: Runtime,
  queue: QueuePort,
  watch: DemandWatch,
  parts: { observations: ObservationStore; fence: LeaderFence },
  options: ProvisioningOptions,
): ReconcilePass {
  const { observations, fence } = parts;
  const { config, db, logger } = runtime.deps;
  const { clock, ec2, metrics } = runtime;
  return new ReconcilePass({
    config,
    db,
    ec2,
    queue,
    clock,
    logger,
    workerTypes: runtime.workerTypeStore,
    removals: runtime.removals,
    observations,
    launches: runtime.launchStore,
    secrets: runtime.secretStore,
    iterations: runtime.iterationStore,
    fleetView: runtime.fleetView,
    priceBook: new PriceBook(ec2, clock, (region, type) => runtime.catalog.onDemandPrice(region, type)),
    capacityFailures: new CapacityFailures(runtime.launchStore, clock),
    launcher: buildLauncher(runtime, fence),
    housekeeper: buildHousekeeper(runtime, fence),
    random: options.random ?? Math.random,
    demandWatch: watch,
    onIteration: (report) => {
      // An iteration that ends after the leadership was lost reports no figures: the new leader does.
      recordIterationMetrics(metrics, report, clock.now(), { workerTypeFigures: fence.leads });
      options.onIteration?.(report);
    },
  });
}

function buildLauncher(runtime: Runtime, fence: LeaderFence): Launcher {
  const { config, db, logger } = runtime.deps;
  return new Launcher({
    db,
    ec2: runtime.ec2,
    launches: runtime.launchStore,
    secrets: runtime.secretStore,
    workerTypes: runtime.workerTypeStore,
    fence,
    outbox: runtime.outbox,
    clock: runtime.clock,
    logger,
    options: {
      provisionerId: config.provisionerId,
      awsKeyPrefix: config.awsKeyPrefix,
      awsInstancePubkey: config.awsInstancePubkey,
      provisionerBaseUrl: `${config.publicUrl}/v1`,
      taskclusterRootUrl: config.taskclusterRootUrl ?? config.publicUrl,
      secretLifetimeMs: config.secretLifetimeMs,
    },
  });
}

function buildHousekeeper(runtime: Runtime, fence: LeaderFence): Housekeeper {
  const { config, db, logger } = runtime.deps;
  return new Housekeeper({
    db,
    fence,
    ec2: runtime.ec2,
    iterations: runtime.iterationStore,
    removals: runtime.removals,
    workerTypes: runtime.workerTypeStore,
    outbox: runtime.outbox,
    clock: runtime.clock,
    logger,
    awsKeyPrefix: config.awsKeyPrefix,
  });
}
