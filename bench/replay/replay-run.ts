import { VirtualClock } from '../../src/clock/virtual-clock.js';
import type { Strategy } from '../../src/config/config.js';
import type { WorkerTypeDefinition } from '../../src/domain/worker-type.js';
import { untilNextIteration } from '../../src/provisioner/next-iteration.js';
import type { IterationReport } from '../../src/provisioner/reconcile-pass.js';
import type { SpotPriceTrace } from '../../src/simulator/ec2/spot-price-trace.js';
import type { TaskTrace } from '../../src/simulator/load/task-trace.js';
import type { WaitSummary } from '../../src/simulator/queue/wait-summary.js';
import type { SimulatedWorld } from '../../src/simulator/simulated-world.js';
import { BenchLoop } from '../bench-loop.js';
import type { TallySnapshot } from '../ec2-call-tally.js';
import { DecisionDigest } from './decision-digest.js';
import { replayWorld } from './replay-world.js';

export const REPLAY_START = Date.UTC(2024, 0, 1);
export const PROVISIONER_ID = 'replay-bench';
export const WORKER_TYPE = 'replayed';
const INTERVAL_MS = 60_000;

export interface ReplayRunOptions {
  strategy: Strategy;
  seed: number;
  regions: readonly string[];
  definition: WorkerTypeDefinition;
  prices: SpotPriceTrace;
  trace: TaskTrace;
  tracePath: string;
  /** Trace time replayed (arrivals before it). */
  durationMs: number;
  /** After the last arrival, iterations go on until every task is done and the fleet is gone, at most this long. */
  drainMs: number;
  idleTimeoutMs: number;
  /** Check every started worker in through the service's `instanceStarted` (skip mode makes no API call). */
  checkIn: boolean;
  /** Configuration over the product's defaults (e.g. DEMAND_CHECK_INTERVAL). */
  env?: Record<string, string>;
  /** Progress lines go here (stderr), every this many virtual hours. */
  progressEveryHours?: number;
}

/** One sample per iteration: the demand the world has and the capacity it runs. */
export interface TimelinePoint {
  hours: number;
  pendingTasks: number;
  runningTasks: number;
  runningInstances: number;
  pendingInstances: number;
  launches: number;
}

export interface StrategyResult {
  strategy: Strategy;
  /** The loop's demand check interval, ms (0 = off). */
  demandCheckMs: number;
  virtualHours: number;
  iterations: number;
  /** Iterations started before the interval because demand outgrew the previous one. */
  earlyIterations: number;
  costUsd: number;
  wait: WaitSummary;
  idleFraction: number;
  /** Paid task slots (capacity × instance uptime), hours. */
  slotHours: number;
  busyHours: number;
  instancesLaunched: number;
  checkIns: { recorded: number; failed: number };
  interruptions: number;
  tasks: { created: number; completed: number; pending: number; running: number; requeued: number };
  ec2: TallySnapshot;
  databaseCalls: number;
  queueCalls: number;
  wall: {
    totalMs: number;
    cpuUserMs: number;
    cpuSystemMs: number;
    passMeanMs: number;
    passP95Ms: number;
    passMaxMs: number;
    /** This process's peak resident memory so far: its own in parallel runs, also the earlier strategy's in --serial ones. */
    peakRssMiB: number;
  };
  decisions: ReturnType<DecisionDigest['summary']>;
  timeline: TimelinePoint[];
}

/** Replays the trace through the real loop with one strategy, in a world of its own. */
export async function runStrategy(options: ReplayRunOptions): Promise<StrategyResult> {
  const wallStart = performance.now();
  const cpuStart = process.cpuUsage();
  const clock = new VirtualClock(REPLAY_START);
  const world = replayWorld({ ...options, clock, provisionerId: PROVISIONER_ID, workerType: WORKER_TYPE });
  const server = await world.start();
  const loop = await BenchLoop.start({
    clock,
    worldUrl: server.url,
    provisionerId: PROVISIONER_ID,
    regions: options.regions,
    strategy: options.strategy,
    seed: options.seed,
    ...(options.env && { env: options.env }),
  });
  try {
    await loop.drive(loop.runtime.workerTypes.create(WORKER_TYPE, options.definition, 'bench'));
    const checkIns = options.checkIn ? checkWorkersIn(world, loop) : { recorded: 0, failed: 0 };
    const run = await iterateUntilDrained(loop, world, clock, options);
    const fleet = world.workers.summary();
    const cpu = process.cpuUsage(cpuStart);
    const passes = [...run.passMs].sort((a, b) => a - b);
    return {
      strategy: options.strategy,
      demandCheckMs: loop.config.demandCheckMs,
      virtualHours: (clock.now() - REPLAY_START) / 3_600_000,
      iterations: passes.length,
      earlyIterations: run.earlyIterations,
      costUsd: fleet.costUsd,
      wait: world.queue.waitSummary(),
      idleFraction: fleet.idleFraction,
      slotHours: fleet.slotMs / 3_600_000,
      busyHours: fleet.slotBusyMs / 3_600_000,
      instancesLaunched: world.events.count('instance-launched'),
      checkIns,
      interruptions: world.events.count('interruption-warning'),
      tasks: world.queue.counts(),
      ec2: loop.calls.snapshot(),
      databaseCalls: loop.db.calls,
      queueCalls: loop.queue.calls,
      wall: {
        totalMs: performance.now() - wallStart,
        cpuUserMs: cpu.user / 1000,
        cpuSystemMs: cpu.system / 1000,
        passMeanMs: passes.reduce((sum, ms) => sum + ms, 0) / Math.max(1, passes.length),
        passP95Ms: passes[Math.floor(passes.length * 0.95)] ?? 0,
        passMaxMs: passes[passes.length - 1] ?? 0,
        peakRssMiB: process.resourceUsage().maxRSS / 1024,
      },
      decisions: run.digest.summary(),
      timeline: run.timeline,
    };
  } finally {
    await loop.close();
    await world.stop();
  }
}

/** docker-worker's `instanceStarted` call, made in-process for each worker as it starts; counts kept live. */
function checkWorkersIn(world: SimulatedWorld, loop: BenchLoop) {
  const counts = { recorded: 0, failed: 0 };
  world.workers.onWorkerStarted((worker) => {
    const token = worker.userData.securityToken;
    if (token === undefined) return;
    loop.runtime.secrets.instanceStarted(worker.workerId, token).then(
      () => counts.recorded++,
      () => counts.failed++,
    );
  });
  return counts;
}

async function iterateUntilDrained(
  loop: BenchLoop,
  world: SimulatedWorld,
  clock: VirtualClock,
  options: ReplayRunOptions,
) {
  const timeline: TimelinePoint[] = [];
  const passMs: number[] = [];
  const digest = new DecisionDigest();
  let earlyIterations = 0;
  const arrivalsEnd =
    REPLAY_START + Math.min(options.durationMs, options.trace.spanMs + options.trace.arrivalMs(0) + 1);
  const deadline = arrivalsEnd + options.drainMs;
  const every = (options.progressEveryHours ?? 6) * 3_600_000;
  let nextProgress = REPLAY_START + every;
  for (;;) {
    const started = clock.now();
    const wall = performance.now();
    const report = await loop.iterate();
    passMs.push(performance.now() - wall);
    digest.add(report);
    const point = sample(world, clock, report);
    timeline.push(point);
    if (clock.now() >= nextProgress) {
      nextProgress += every;
      progress(options.strategy, point, passMs);
    }
    const idle =
      point.pendingTasks + point.runningTasks + point.runningInstances + point.pendingInstances === 0;
    if (clock.now() >= deadline || (clock.now() >= arrivalsEnd && idle)) break;
    const { demandCheck } = loop;
    const next = await loop.drive(
      untilNextIteration({ clock, lastStart: started, intervalMs: INTERVAL_MS, demandCheck }),
    );
    if (next.early !== null) earlyIterations++;
  }
  return { timeline, passMs, digest, earlyIterations };
}

function sample(world: SimulatedWorld, clock: VirtualClock, report: IterationReport): TimelinePoint {
  const counts = world.queue.counts();
  const instances = world.ec2.countInstances();
  const runningInstances = instances.running ?? 0;
  const pendingInstances = instances.pending ?? 0;
  return {
    hours: (clock.now() - REPLAY_START) / 3_600_000,
    pendingTasks: counts.pending,
    runningTasks: counts.running,
    runningInstances,
    pendingInstances,
    launches: report.plan.totals.launches,
  };
}

function progress(strategy: string, point: TimelinePoint, passMs: readonly number[]): void {
  const recent = passMs.slice(-360);
  const mean = recent.reduce((sum, ms) => sum + ms, 0) / Math.max(1, recent.length);
  const memory = process.memoryUsage();
  const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
  process.stderr.write(
    `[${strategy}] ${point.hours.toFixed(0)} h: ${point.pendingTasks} pending, ${point.runningTasks} running, ` +
      `${point.runningInstances + point.pendingInstances} instances; pass ${mean.toFixed(0)} ms (last 6 h); ` +
      `MiB rss ${mib(memory.rss)}, heap ${mib(memory.heapUsed)}, array buffers ${mib(memory.arrayBuffers)}\n`,
  );
}
