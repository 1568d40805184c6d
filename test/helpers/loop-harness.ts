import { afterEach } from 'vitest';
import { VirtualClock } from '../../src/clock/virtual-clock.js';
import { type Config, loadConfig } from '../../src/config/config.js';
import { regionConfig, type WorkerType, type WorkerTypeDefinition } from '../../src/domain/worker-type.js';
import type { Ec2Port } from '../../src/ec2/ec2-port.js';
import { createLogger } from '../../src/log/logger.js';
import { Runtime } from '../../src/main.js';
import type { DemandCheck } from '../../src/provisioner/next-iteration.js';
import type { IterationReport, ReconcilePass } from '../../src/provisioner/reconcile-pass.js';
import type { RunningSimulator } from '../../src/simulator/ec2/ec2-http-handler.js';
import { defaultImageId } from '../../src/simulator/ec2/scenario.js';
import { SimulatedWorld, type WorldScenarioInput } from '../../src/simulator/simulated-world.js';
import { exampleDefinition } from '../fixtures/worker-types.js';
import type { Engine, TestDatabase } from './databases.js';

export const PROVISIONER_ID = 'loop-test';
export const REGIONS = ['us-west-2', 'us-east-1'];

export interface LoopHarness {
  clock: VirtualClock;
  world: SimulatedWorld;
  simulator: RunningSimulator;
  runtime: Runtime;
  pass: ReconcilePass;
  /** The loop's demand check between iterations; undefined when it is off. */
  demandCheck: DemandCheck | undefined;
  config: Config;
  test: TestDatabase;
  reports: IterationReport[];
  /** Defines a worker type (through the same service the API uses). */
  define(name: string, overrides?: Partial<WorkerTypeDefinition>): Promise<WorkerType>;
  addTasks(workerType: string, count: number, durationMs?: number): void;
  /** Runs `count` iterations, moving virtual time `stepMs` after each (instances boot, tasks run). */
  iterate(count?: number, stepMs?: number): Promise<IterationReport>;
  /** This provisioner's live instances in the simulated EC2, by worker type tag. */
  liveInstances(workerType?: string): ReturnType<SimulatedWorld['ec2']['listInstances']>;
  close(): Promise<void>;
}

export interface LoopHarnessOptions {
  scenario?: WorldScenarioInput;
  env?: Record<string, string>;
  /** Wraps the EC2 port (fault injection around the real gateway). */
  wrapEc2?: (ec2: Ec2Port) => Ec2Port;
  /** Reuse a database (a restart) instead of opening a new one. */
  database?: TestDatabase;
  clock?: VirtualClock;
  world?: SimulatedWorld;
}

/** A definition whose AMIs exist in the simulated regions. */
export function loopDefinition(
  regions: readonly string[] = REGIONS,
  overrides: Partial<WorkerTypeDefinition> = {},
) {
  return exampleDefinition({
    launchSpec: {},
    regions: regions.map((region) => regionConfig(region, defaultImageId(region))),
    ...overrides,
  });
}

/**
 * The real loop (runtime, gateway over the real AWS SDK, stores) against the simulated world over HTTP, in
 * virtual time. The gateway makes one attempt per call with an unbounded budget, so a pass never waits on
 * the virtual clock: time moves only between iterations.
 */
export async function startLoopHarness(
  engine: Engine,
  options: LoopHarnessOptions = {},
): Promise<LoopHarness> {
  const clock = options.clock ?? new VirtualClock(Date.UTC(2024, 0, 8));
  const world =
    options.world ??
    new SimulatedWorld({
      clock,
      scenario: {
        regions: REGIONS,
        throttle: { enabled: false },
        delays: { instanceVisibility: { minMs: 0, maxMs: 0 }, boot: { minMs: 30_000, maxMs: 30_000 } },
        workers: { bootstrap: 'skip' },
        ...options.scenario,
      },
    });
  const simulator = world.url ? { url: world.url, port: 0, close: async () => {} } : await world.start();
  const test = options.database ?? (await engine.open());
  const config = loadConfig({
    PROVISIONER_ID,
    ALLOWED_REGIONS: REGIONS.join(','),
    AWS_ENDPOINT_URL_EC2: simulator.url,
    TASKCLUSTER_ROOT_URL: simulator.url,
    TASKCLUSTER_CLIENT_ID: 'static/loop',
    TASKCLUSTER_ACCESS_TOKEN: 'loop-test-access-token',
    ITERATION_INTERVAL: '60',
    LOG_LEVEL: 'silent',
    ...options.env,
  });
  const reports: IterationReport[] = [];
  const logger = createLogger('silent');
  const probe = new Runtime({ config, logger, db: test.db, clock, ec2Options: gatewayOptions() });
  const ec2 = options.wrapEc2 ? options.wrapEc2(probe.ec2) : probe.ec2;
  const runtime = options.wrapEc2 ? new Runtime({ config, logger, db: test.db, clock, ec2 }) : probe;
  const { pass, demandCheck } = runtime.provisioning(runtime.queue as NonNullable<Runtime['queue']>, {
    random: () => 0.5,
    onIteration: (report) => reports.push(report),
  });
  return {
    clock,
    world,
    simulator,
    runtime,
    pass,
    demandCheck,
    config,
    test,
    reports,
    define: (name, overrides = {}) =>
      runtime.workerTypes.create(name, { ...loopDefinition(REGIONS), ...overrides }, 'test'),
    addTasks: (workerType, count, durationMs = 30 * 60_000) => {
      for (let i = 0; i < count; i++)
        world.queue.createTask({ provisionerId: PROVISIONER_ID, workerType, durationMs });
    },
    iterate: async (count = 1, stepMs = 60_000) => {
      let report: IterationReport | undefined;
      for (let i = 0; i < count; i++) {
        report = await pass.run();
        await clock.advanceBy(stepMs);
      }
      return report as IterationReport;
    },
    liveInstances: (workerType) =>
      world.ec2
        .listInstances()
        .filter((i) => i.state === 'pending' || i.state === 'running')
        .filter((i) => workerType === undefined || i.tags.WorkerType === `${PROVISIONER_ID}/${workerType}`),
    close: async () => {
      if (!options.world) await world.stop();
      if ('destroy' in probe.ec2) (probe.ec2 as { destroy(): void }).destroy();
      if (!options.database) await test.dispose();
    },
  };
}

/** One attempt, no waiting: in virtual time a back-off sleep would never end within a pass. */
function gatewayOptions() {
  return {
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
    budget: { concurrency: 64, ratePerSecond: 1e9, burst: 1e9 },
  };
}

/**
 * `startLoopHarness` for the tests of one `describe`: every harness it starts is closed after each test,
 * the newest first.
 */
export function loopHarnesses(): typeof startLoopHarness {
  const open: LoopHarness[] = [];
  afterEach(async () => {
    for (const h of open.splice(0).reverse()) await h.close();
  });
  return async (...args) => {
    const h = await startLoopHarness(...args);
    open.push(h);
    return h;
  };
}

/** An instance of `ghost`, a worker type nobody defined (a rogue), launched in us-west-2 past the loop. */
export async function launchRogue(ec2: Ec2Port): Promise<{ instanceId: string }> {
  await ec2.ensureKeyPair('us-west-2', 'any-key', undefined);
  return ec2.runInstance({
    region: 'us-west-2',
    clientToken: 'rogue-1',
    launchSpec: {
      ImageId: defaultImageId('us-west-2'),
      InstanceType: 'c5.large',
      KeyName: 'any-key',
      UserData: '',
    },
    market: 'on-demand',
    tags: { Name: 'ghost', Owner: PROVISIONER_ID, WorkerType: `${PROVISIONER_ID}/ghost` },
  });
}
