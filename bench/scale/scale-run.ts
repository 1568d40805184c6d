import { type ChildProcess, fork } from 'node:child_process';
import { VirtualClock } from '../../src/clock/virtual-clock.js';
import { instanceTypeConfig, type WorkerTypeDefinition } from '../../src/domain/worker-type.js';
import type { Database } from '../../src/store/database.js';
import { BenchLoop } from '../bench-loop.js';
import { tallyDifference } from '../ec2-call-tally.js';
import { simulatedDefinition } from '../simulated-definition.js';
import { IterationProfiler } from './iteration-profiler.js';
import { SCALE_START, SCALE_TYPES, type ScaleFleetSpec, workerTypeName } from './scale-fleet.js';

export interface ScaleConfig {
  workerTypes: number;
  regions: readonly string[];
  instances: number;
  iterations: number;
  /** Write a CPU profile of the iterations (not the setup) to this file. */
  profilePath?: string;
}

export interface IterationFigures {
  iteration: number;
  outcome: string;
  wallMs: number;
  cpuMs: number;
  /** The process's peak resident set so far, MiB. */
  peakRssMiB: number;
  heapUsedMiB: number;
  ec2Calls: number;
  throttled: number;
  callsByRegion: Record<string, number>;
  callsByAction: Record<string, number>;
  launches: number;
  databaseCalls: number;
  queueCalls: number;
  instancesObserved: number;
}

export interface ScaleResult {
  config: ScaleConfig;
  database: string;
  setupMs: number;
  iterations: IterationFigures[];
}

export interface OpenedDatabase {
  db: Database;
  name: string;
  dispose(): Promise<void>;
}

const PROVISIONER_ID = 'scale-bench';

function definition(regions: readonly string[]): WorkerTypeDefinition {
  return simulatedDefinition({
    description: 'Scale benchmark',
    regions,
    instanceTypes: SCALE_TYPES.map((instanceType) => instanceTypeConfig(instanceType)),
    maxCapacity: 10_000,
    maxPrice: 1,
  });
}

/** Starts the world in a child process; resolves with its URL once the fleet is in place. */
export function startWorld(spec: ScaleFleetSpec): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(new URL('./scale-world-process.ts', import.meta.url), [], {
    execArgv: process.execArgv,
  });
  return new Promise((resolve, reject) => {
    child.once('message', (message: { url?: string; error?: string }) => {
      if (message.url) resolve({ child, url: message.url });
      else reject(new Error(`The scale world failed: ${message.error}`));
    });
    child.once('exit', (code) => reject(new Error(`The scale world exited with ${code}`)));
    child.send({ start: spec });
  });
}

function advanceWorld(child: ChildProcess, ms: number): Promise<void> {
  return new Promise((resolve) => {
    child.once('message', () => resolve());
    child.send({ advanceMs: ms });
  });
}

/** Builds the fleet, defines the worker types and runs `iterations` passes of the real loop, measuring each. */
export async function runScale(
  config: ScaleConfig,
  open: () => Promise<OpenedDatabase>,
): Promise<ScaleResult> {
  const setupStarted = performance.now();
  const spec: ScaleFleetSpec = {
    provisionerId: PROVISIONER_ID,
    workerTypes: config.workerTypes,
    regions: config.regions,
    instances: config.instances,
    // The same demand whatever the number of worker types, so launches do not blur the comparison.
    busyWorkerTypes: Math.min(10, config.workerTypes),
    tasksEach: 2,
  };
  const world = await startWorld(spec);
  const database = await open();
  const clock = new VirtualClock(SCALE_START + 60_000);
  const loop = await BenchLoop.start({
    clock,
    worldUrl: world.url,
    provisionerId: PROVISIONER_ID,
    regions: config.regions,
    strategy: 'default',
    seed: 1,
    database: database.db,
  });
  try {
    const defined = definition(config.regions);
    for (let w = 0; w < config.workerTypes; w++) {
      await loop.runtime.workerTypeStore.create(workerTypeName(w), defined, 'bench', new Date(clock.now()));
    }
    const setupMs = performance.now() - setupStarted;
    const iterations: IterationFigures[] = [];
    const profiler = config.profilePath === undefined ? undefined : new IterationProfiler();
    for (let i = 1; i <= config.iterations; i++) {
      await profiler?.start();
      iterations.push(await measuredIteration(loop, i));
      await profiler?.stop(`${config.profilePath}.iteration-${i}.cpuprofile`);
      await checkInRunning(database.db, new Date(clock.now()));
      await Promise.all([loop.driver.advanceTo(clock.now() + 60_000), advanceWorld(world.child, 60_000)]);
    }
    return { config, database: database.name, setupMs, iterations };
  } finally {
    await loop.close();
    world.child.send({ stop: true });
    await database.dispose().catch(() => {});
  }
}

/**
 * Real workers check in (instanceStarted, or redeeming their secret) soon after boot; the simulated
 * fleet has no workers, so every running instance the loop has seen checks in here, between iterations.
 * Without this, every iteration would ask the database about all 50,000 instances (~0.16 s more).
 */
async function checkInRunning(db: Database, now: Date): Promise<void> {
  // Under the token of each instance's own launch: the only check-in the loop counts, and one per token.
  await db.query(
    `INSERT INTO instance_checkins (instance_id, token, worker_type, checked_in_at)
     SELECT o.instance_id, s.token, o.worker_type, $1 FROM observed_instances o
       JOIN launches l ON l.instance_id = o.instance_id
       JOIN secrets s ON s.launch_token = l.client_token
     WHERE o.state = 'running'
     ON CONFLICT DO NOTHING`,
    [now],
  );
}

async function measuredIteration(loop: BenchLoop, iteration: number): Promise<IterationFigures> {
  const calls = loop.calls.snapshot();
  const databaseCalls = loop.db.calls;
  const queueCalls = loop.queue.calls;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const report = await loop.iterate();
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const delta = tallyDifference(loop.calls.snapshot(), calls);
  const count = (record: Record<string, { calls: number }>) =>
    Object.fromEntries(Object.entries(record).map(([key, value]) => [key, value.calls]));
  return {
    iteration,
    outcome: report.outcome,
    wallMs,
    cpuMs: (used.user + used.system) / 1000,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    heapUsedMiB: process.memoryUsage().heapUsed / 2 ** 20,
    ec2Calls: delta.total.calls,
    throttled: delta.total.throttled,
    callsByRegion: count(delta.byRegion),
    callsByAction: count(delta.byAction),
    launches: report.plan.totals.launches,
    databaseCalls: loop.db.calls - databaseCalls,
    queueCalls: loop.queue.calls - queueCalls,
    instancesObserved: report.plan.workerTypes.reduce(
      (sum, plan) => sum + plan.capacity.runningCapacity + plan.capacity.pendingCapacity,
      0,
    ),
  };
}
