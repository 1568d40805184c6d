import type { Clock } from '../../clock/clock.js';
import { setLongTimer } from '../ec2/world-context.js';
import type { NewTask } from '../queue/task-queue.js';
import { Random } from '../random.js';
import type { BurstLoadSpec, DurationSpec, LoadSpec, SteadyLoadSpec, TraceLoadSpec } from './load-spec.js';
import type { TaskTrace } from './task-trace.js';

/** Where generated tasks go (the TaskQueue). */
export interface LoadTarget {
  createTask(task: NewTask): string;
}

export interface LoadContext {
  clock: Clock;
  queue: LoadTarget;
  /** Seeds this generator's draws (arrival gaps, durations). */
  seed: number | string;
  /** The load's time zero, epoch ms (default: the clock's time when it starts). */
  origin?: number;
}

export interface LoadHandle {
  readonly spec: LoadSpec;
  /** Tasks created so far. */
  readonly created: number;
  /** No more arrivals will come. */
  readonly finished: boolean;
  stop(): void;
}

interface Arrival {
  at: number;
  durationMs: number;
}

function drawDuration(spec: DurationSpec, random: Random): number {
  return typeof spec === 'number' ? spec : Math.round(random.between(spec.minMs, spec.maxMs));
}

function* steadyArrivals(spec: SteadyLoadSpec, origin: number, random: Random): Generator<Arrival> {
  if (spec.tasksPerHour <= 0) return;
  const meanGap = 3_600_000 / spec.tasksPerHour;
  const poisson = (spec.arrivals ?? 'poisson') === 'poisson';
  let at = origin + (spec.startMs ?? 0) + (poisson ? random.exponential(1 / meanGap) : 0);
  for (;;) {
    yield { at: Math.round(at), durationMs: drawDuration(spec.taskDurationMs, random) };
    at += poisson ? random.exponential(1 / meanGap) : meanGap;
  }
}

function* burstArrivals(spec: BurstLoadSpec, origin: number, random: Random): Generator<Arrival> {
  const bursts = spec.bursts ?? Number.POSITIVE_INFINITY;
  for (let burst = 0; burst < bursts; burst++) {
    const at = origin + (spec.startMs ?? 0) + burst * spec.everyMs;
    for (let i = 0; i < spec.tasksPerBurst; i++) {
      yield { at, durationMs: drawDuration(spec.taskDurationMs, random) };
    }
  }
}

function* traceArrivals(spec: TraceLoadSpec, origin: number, trace: TaskTrace): Generator<Arrival> {
  const from = spec.fromMs ?? 0;
  const to = spec.toMs ?? Number.POSITIVE_INFINITY;
  const timeScale = spec.timeScale ?? 1;
  const durationScale = spec.durationScale ?? 1;
  const start = origin + (spec.startMs ?? 0);
  for (let i = trace.firstIndexAtOrAfter(from); i < trace.length; i++) {
    const arrival = trace.arrivalMs(i);
    if (arrival >= to) return;
    yield {
      at: Math.round(start + (arrival - from) * timeScale),
      durationMs: Math.round(trace.durationMs(i) * durationScale),
    };
  }
}

/** Feeds arrivals to the queue on the clock, one timer at a time (however long the stream). */
class ArrivalDriver implements LoadHandle {
  created = 0;
  finished = false;
  private next: Arrival | undefined;
  private cancel: () => void = () => {};

  constructor(
    readonly spec: LoadSpec,
    private readonly clock: Clock,
    private readonly target: LoadTarget,
    private readonly arrivals: Iterator<Arrival>,
    private readonly end: number,
  ) {
    this.advance();
    this.arm();
  }

  stop(): void {
    this.cancel();
    this.finished = true;
  }

  private advance(): void {
    const step = this.arrivals.next();
    this.next = step.done || step.value.at >= this.end ? undefined : step.value;
    if (this.next === undefined) this.finished = true;
  }

  private arm(): void {
    if (this.next === undefined) return;
    this.cancel = setLongTimer(this.clock, Math.max(0, this.next.at - this.clock.now()), () => this.fire());
  }

  private fire(): void {
    const now = this.clock.now();
    const { provisionerId, workerType } = this.spec;
    while (this.next !== undefined && this.next.at <= now) {
      this.target.createTask({ provisionerId, workerType, durationMs: this.next.durationMs });
      this.created++;
      this.advance();
    }
    this.arm();
  }
}

/** Starts a load generator; a trace load needs its trace (`TaskTrace.load(spec.path)`). */
export function startLoad(spec: LoadSpec, context: LoadContext, trace?: TaskTrace): LoadHandle {
  const origin = context.origin ?? context.clock.now();
  const random = Random.stream(context.seed, 'load');
  const end = spec.endMs === undefined ? Number.POSITIVE_INFINITY : origin + spec.endMs;
  let arrivals: Iterator<Arrival>;
  if (spec.kind === 'steady') arrivals = steadyArrivals(spec, origin, random);
  else if (spec.kind === 'bursts') arrivals = burstArrivals(spec, origin, random);
  else {
    if (trace === undefined)
      throw new Error(
        `The trace load of ${spec.path} needs its trace: TaskTrace.load() it (SimulatedWorld.create does)`,
      );
    arrivals = traceArrivals(spec, origin, trace);
  }
  return new ArrivalDriver(spec, context.clock, context.queue, arrivals, end);
}
