import type { InstanceCatalog } from '../catalog/instance-catalog.js';
import type { Clock } from '../clock/clock.js';
import {
  createEc2HttpHandler,
  type RunningSimulator,
  type SimulatorRequestHandler,
  serveSimulator,
} from './ec2/ec2-http-handler.js';
import { Ec2World } from './ec2/ec2-world.js';
import type { EventLog } from './ec2/event-log.js';
import { resolveScenario, type ScenarioInput } from './ec2/scenario.js';
import { SpotPriceTrace } from './ec2/spot-price-trace.js';
import type { SimInstanceState } from './ec2/world-records.js';
import { type LoadHandle, startLoad } from './load/load-generator.js';
import { type LoadSpec, validateLoadSpecs } from './load/load-spec.js';
import { TaskTrace } from './load/task-trace.js';
import { createQueueControlHandler } from './queue/queue-control-api.js';
import { createQueueHttpHandler } from './queue/queue-http-handler.js';
import { TaskQueue } from './queue/task-queue.js';
import type { WaitSummary } from './queue/wait-summary.js';
import { createWorldControlHandler } from './simulated-world-control.js';
import { type FleetSummary, WorkerFleet } from './workers/worker-fleet.js';
import type { WorkerSettings } from './workers/worker-settings.js';

/** A whole world in one JSON document: the EC2 scenario plus workers and load (a `--scenario` file). */
export type WorldScenarioInput = ScenarioInput & {
  workers?: Partial<WorkerSettings>;
  load?: LoadSpec[];
  queue?: { retainCompletedTasks?: number };
};

export interface SimulatedWorldOptions {
  clock: Clock;
  scenario?: WorldScenarioInput;
  /** Overrides the scenario's seed. */
  seed?: number | string;
  catalog?: InstanceCatalog;
  /** SpotLake prices already read (`create` reads `scenario.prices.tracePath` itself). */
  priceTrace?: SpotPriceTrace;
  /** Task traces already read, by the `path` of the trace loads (`create` reads the others). */
  traces?: ReadonlyMap<string, TaskTrace>;
}

export interface WorldSummary {
  now: number;
  elapsedMs: number;
  tasks: ReturnType<TaskQueue['counts']> & { wait: WaitSummary };
  instances: {
    launched: number;
    interruptions: number;
    /** Instances EC2 still describes (terminated ones vanish after a while). */
    byState: Record<SimInstanceState, number>;
  };
  fleet: FleetSummary;
}

/**
 * The simulated world: EC2 of every region, the Taskcluster queue, a worker on every instance and load
 * generators, on one clock and one seed, so the same seed replays the same event log (with workers
 * bootstrapping in `skip` mode; real HTTP bootstraps follow real network timing).
 */
export class SimulatedWorld {
  readonly clock: Clock;
  readonly ec2: Ec2World;
  readonly queue: TaskQueue;
  readonly workers: WorkerFleet;
  readonly loads: LoadHandle[] = [];
  private readonly seed: number | string;
  private readonly traces: ReadonlyMap<string, TaskTrace>;
  private server: RunningSimulator | undefined;

  constructor(options: SimulatedWorldOptions) {
    const scenario = options.scenario ?? {};
    this.seed = options.seed ?? scenario.seed ?? 1;
    this.clock = options.clock;
    this.traces = options.traces ?? new Map();
    this.ec2 = new Ec2World({
      clock: options.clock,
      scenario: { ...scenario, seed: this.seed },
      ...(options.catalog === undefined ? {} : { catalog: options.catalog }),
      ...(options.priceTrace === undefined ? {} : { priceTrace: options.priceTrace }),
    });
    this.queue = new TaskQueue({
      clock: options.clock,
      events: this.ec2.events,
      seed: this.seed,
      ...(scenario.queue?.retainCompletedTasks === undefined
        ? {}
        : { retainCompletedTasks: scenario.queue.retainCompletedTasks }),
    });
    this.workers = new WorkerFleet({ ec2: this.ec2, queue: this.queue, settings: scenario.workers ?? {} });
    for (const spec of validateLoadSpecs(scenario.load ?? [])) this.addLoad(spec);
  }

  /** Builds a world, first reading the price trace and task traces its scenario names. */
  static async create(options: SimulatedWorldOptions): Promise<SimulatedWorld> {
    const scenario = options.scenario ?? {};
    const tracePath = resolveScenario(scenario).prices.tracePath;
    const priceTrace =
      options.priceTrace ?? (tracePath === undefined ? undefined : await SpotPriceTrace.load(tracePath));
    const traces = new Map(options.traces ?? []);
    for (const spec of validateLoadSpecs(scenario.load ?? [])) {
      if (spec.kind === 'trace' && !traces.has(spec.path))
        traces.set(spec.path, await TaskTrace.load(spec.path));
    }
    return new SimulatedWorld({ ...options, traces, ...(priceTrace === undefined ? {} : { priceTrace }) });
  }

  get events(): EventLog {
    return this.ec2.events;
  }

  /** Starts another load generator now (its times count from now). */
  addLoad(spec: LoadSpec, trace?: TaskTrace): LoadHandle {
    const index = this.loads.length;
    const handle = startLoad(
      spec,
      { clock: this.clock, queue: this.queue, seed: `${String(this.seed)}/load/${index}` },
      trace ?? (spec.kind === 'trace' ? this.traces.get(spec.path) : undefined),
    );
    this.loads.push(handle);
    return handle;
  }

  /** The HTTP handlers, to mount on a server of one's own: control APIs, the queue, EC2. */
  handlers(): SimulatorRequestHandler[] {
    return [
      createWorldControlHandler(this),
      createQueueControlHandler(this.queue),
      createQueueHttpHandler(this.queue),
      createEc2HttpHandler(this.ec2),
    ];
  }

  /** Serves EC2, the queue and the control APIs on 127.0.0.1 (port 0: any free port). */
  async start(port = 0): Promise<RunningSimulator> {
    if (this.server !== undefined) throw new Error('The simulated world is already serving');
    this.server = await serveSimulator(this.handlers(), { port });
    return this.server;
  }

  /** `http://127.0.0.1:<port>` while serving. */
  get url(): string | undefined {
    return this.server?.url;
  }

  /** Stops serving and stops the load generators. */
  async stop(): Promise<void> {
    for (const load of this.loads) load.stop();
    const server = this.server;
    this.server = undefined;
    await server?.close();
  }

  summary(): WorldSummary {
    const now = this.clock.now();
    const byState: Record<SimInstanceState, number> = {
      pending: 0,
      running: 0,
      'shutting-down': 0,
      terminated: 0,
    };
    for (const instance of this.ec2.listInstances()) byState[instance.state as SimInstanceState]++;
    return {
      now,
      elapsedMs: now - this.ec2.startTime,
      tasks: { ...this.queue.counts(), wait: this.queue.waitSummary() },
      instances: {
        launched: this.events.count('instance-launched'),
        interruptions: this.events.count('interruption-warning'),
        byState,
      },
      fleet: this.workers.summary(),
    };
  }
}
