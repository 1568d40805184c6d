/**
 * Load generators as plain JSON (the `load` list of a scenario file). Times are ms relative to the moment
 * the load starts (the world's start, unless told otherwise).
 */
import { QUEUE_IDENTIFIER } from '../queue/task-queue.js';

/** A fixed task duration, or uniform in [minMs, maxMs]. */
export type DurationSpec = number | { minMs: number; maxMs: number };

interface LoadBase {
  provisionerId: string;
  workerType: string;
  /** The first arrival is this long after the load starts (default 0). */
  startMs?: number;
  /** No arrivals at or after this time after the load starts (default: never ends). */
  endMs?: number;
}

export interface SteadyLoadSpec extends LoadBase {
  kind: 'steady';
  tasksPerHour: number;
  taskDurationMs: DurationSpec;
  /** `poisson` (default): exponential gaps; `uniform`: evenly spaced. */
  arrivals?: 'poisson' | 'uniform';
}

export interface BurstLoadSpec extends LoadBase {
  kind: 'bursts';
  tasksPerBurst: number;
  /** Time between bursts (the first is at `startMs`). */
  everyMs: number;
  taskDurationMs: DurationSpec;
  /** At most this many bursts (default: until `endMs`). */
  bursts?: number;
}

export interface TraceLoadSpec extends LoadBase {
  kind: 'trace';
  /** A trace file in the 8-byte format; read when the world is created. */
  path: string;
  /** Only records arriving at or after this trace time (ms) are replayed; it maps to `startMs`. */
  fromMs?: number;
  /** Only records arriving before this trace time (ms). */
  toMs?: number;
  /** Multiplies the gaps between arrivals: 0.5 replays twice as densely. Default 1. */
  timeScale?: number;
  /** Multiplies task durations. Default 1. */
  durationScale?: number;
}

export type LoadSpec = SteadyLoadSpec | BurstLoadSpec | TraceLoadSpec;

function fail(index: number, message: string): never {
  throw new RangeError(`load[${index}]: ${message}`);
}

function checkNumber(index: number, spec: object, name: string, min: number, required: boolean): void {
  const value = (spec as Record<string, unknown>)[name];
  if (value === undefined && !required) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    fail(index, `${name} must be a number >= ${min}`);
  }
}

function checkDuration(index: number, value: unknown): void {
  if (typeof value === 'number' && value >= 0 && Number.isFinite(value)) return;
  const range = value as { minMs?: unknown; maxMs?: unknown } | null;
  if (
    typeof range === 'object' &&
    range !== null &&
    typeof range.minMs === 'number' &&
    typeof range.maxMs === 'number' &&
    range.minMs >= 0 &&
    range.maxMs >= range.minMs
  ) {
    return;
  }
  fail(index, 'taskDurationMs must be a number of ms or {minMs, maxMs} with 0 <= minMs <= maxMs');
}

/** Checks a load list read from JSON; throws a RangeError naming the first problem. */
export function validateLoadSpecs(input: unknown): LoadSpec[] {
  if (!Array.isArray(input)) throw new RangeError('load must be a list of load generators');
  input.forEach((spec: Record<string, unknown>, index) => {
    if (spec === null || typeof spec !== 'object') fail(index, 'must be an object');
    for (const name of ['provisionerId', 'workerType']) {
      const value = spec[name];
      if (typeof value !== 'string' || !QUEUE_IDENTIFIER.test(value)) fail(index, `${name} is not valid`);
    }
    checkNumber(index, spec, 'startMs', 0, false);
    checkNumber(index, spec, 'endMs', 0, false);
    if (spec.kind === 'steady') {
      checkNumber(index, spec, 'tasksPerHour', 0, true);
      checkDuration(index, spec.taskDurationMs);
      if (spec.arrivals !== undefined && spec.arrivals !== 'poisson' && spec.arrivals !== 'uniform') {
        fail(index, 'arrivals must be "poisson" or "uniform"');
      }
    } else if (spec.kind === 'bursts') {
      checkNumber(index, spec, 'tasksPerBurst', 0, true);
      checkNumber(index, spec, 'everyMs', 1, true);
      checkNumber(index, spec, 'bursts', 0, false);
      checkDuration(index, spec.taskDurationMs);
    } else if (spec.kind === 'trace') {
      if (typeof spec.path !== 'string' || spec.path === '') fail(index, 'path must name a trace file');
      for (const name of ['fromMs', 'toMs', 'durationScale']) checkNumber(index, spec, name, 0, false);
      if (spec.timeScale !== undefined && !(typeof spec.timeScale === 'number' && spec.timeScale > 0)) {
        fail(index, 'timeScale must be a positive number');
      }
    } else {
      fail(index, 'kind must be "steady", "bursts" or "trace"');
    }
  });
  return input as LoadSpec[];
}
