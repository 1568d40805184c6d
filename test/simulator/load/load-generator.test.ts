import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/clock/virtual-clock.js';
import { startLoad } from '../../../src/simulator/load/load-generator.js';
import { type LoadSpec, validateLoadSpecs } from '../../../src/simulator/load/load-spec.js';
import { TaskTrace } from '../../../src/simulator/load/task-trace.js';
import type { NewTask } from '../../../src/simulator/queue/task-queue.js';

const START = Date.UTC(2024, 0, 1);
const HOUR = 3600_000;
const QUEUE = { provisionerId: 'prov', workerType: 'wt' };

/** Runs a load for `untilMs` of virtual time; returns what arrived when. */
async function arrivals(spec: LoadSpec, untilMs: number, options: { seed?: string; trace?: TaskTrace } = {}) {
  const clock = new VirtualClock(START);
  const seen: Array<{ at: number; durationMs: number }> = [];
  const target = {
    createTask: (task: NewTask) => {
      expect(task).toMatchObject(QUEUE);
      seen.push({ at: clock.now() - START, durationMs: task.durationMs });
      return `t${seen.length}`;
    },
  };
  const handle = startLoad(spec, { clock, queue: target, seed: options.seed ?? 'load' }, options.trace);
  await clock.advanceTo(START + untilMs);
  return { seen, handle, timersLeft: clock.pendingTimers() };
}

describe('load generators', () => {
  it('spaces a uniform steady load evenly between start and end', async () => {
    const { seen, handle } = await arrivals(
      {
        kind: 'steady',
        ...QUEUE,
        tasksPerHour: 60,
        taskDurationMs: 5000,
        arrivals: 'uniform',
        startMs: 1000,
        endMs: HOUR,
      },
      2 * HOUR,
    );
    expect(seen).toHaveLength(60);
    expect(seen.slice(0, 3)).toEqual([
      { at: 1000, durationMs: 5000 },
      { at: 61_000, durationMs: 5000 },
      { at: 121_000, durationMs: 5000 },
    ]);
    expect(handle).toMatchObject({ created: 60, finished: true });
  });

  it('draws a Poisson load from its seed, near the asked-for rate, with durations in range', async () => {
    const spec: LoadSpec = {
      kind: 'steady',
      ...QUEUE,
      tasksPerHour: 600,
      taskDurationMs: { minMs: 1000, maxMs: 2000 },
    };
    const first = await arrivals(spec, 10 * HOUR, { seed: 'x' });
    const again = await arrivals(spec, 10 * HOUR, { seed: 'x' });
    const other = await arrivals(spec, 10 * HOUR, { seed: 'y' });
    expect(again.seen).toEqual(first.seen);
    expect(other.seen).not.toEqual(first.seen);
    expect(first.seen.length).toBeGreaterThan(5700);
    expect(first.seen.length).toBeLessThan(6300);
    for (const { durationMs } of first.seen) {
      expect(durationMs).toBeGreaterThanOrEqual(1000);
      expect(durationMs).toBeLessThanOrEqual(2000);
    }
    // One timer at a time, however many arrivals are still to come.
    expect(first.timersLeft).toBe(1);
  });

  it('creates bursts of tasks at once, a given number of times', async () => {
    const { seen, handle } = await arrivals(
      {
        kind: 'bursts',
        ...QUEUE,
        tasksPerBurst: 3,
        everyMs: HOUR,
        startMs: 30 * 60_000,
        bursts: 2,
        taskDurationMs: 10,
      },
      5 * HOUR,
    );
    expect(seen.map((arrival) => arrival.at)).toEqual([1, 1, 1, 3, 3, 3].map((half) => half * 30 * 60_000));
    expect(handle.finished).toBe(true);
  });

  it('replays a trace window, shifted and scaled', async () => {
    const trace = new TaskTrace(
      TaskTrace.encode([
        { arrivalMs: 0, durationMs: 100 },
        { arrivalMs: 1000, durationMs: 200 },
        { arrivalMs: 1000, durationMs: 300 },
        { arrivalMs: 5000, durationMs: 400 },
        { arrivalMs: 9000, durationMs: 500 },
      ]),
    );
    const { seen } = await arrivals(
      {
        kind: 'trace',
        ...QUEUE,
        path: 'in-memory',
        fromMs: 1000,
        toMs: 9000,
        startMs: 60_000,
        timeScale: 0.5,
        durationScale: 2,
      },
      HOUR,
      { trace },
    );
    expect(seen).toEqual([
      { at: 60_000, durationMs: 400 },
      { at: 60_000, durationMs: 600 },
      { at: 62_000, durationMs: 800 },
    ]);
  });

  it('stops on demand', async () => {
    const clock = new VirtualClock(START);
    let created = 0;
    const handle = startLoad(
      { kind: 'steady', ...QUEUE, tasksPerHour: 3600, taskDurationMs: 1, arrivals: 'uniform' },
      { clock, queue: { createTask: () => String(created++) }, seed: 1 },
    );
    await clock.advanceTo(START + 10_000);
    handle.stop();
    await clock.advanceTo(START + HOUR);
    expect(created).toBe(11);
    expect(clock.pendingTimers()).toBe(0);
  });
});

describe('task traces', () => {
  it('reads the 8-byte big-endian format and finds arrivals by binary search', () => {
    const bytes = Buffer.from([0, 0, 0, 5, 0, 0, 1, 0, 0, 1, 0, 0, 0xff, 0xff, 0xff, 0xff]);
    const trace = new TaskTrace(bytes);
    expect(trace.length).toBe(2);
    expect([trace.arrivalMs(0), trace.durationMs(0), trace.arrivalMs(1), trace.durationMs(1)]).toEqual([
      5, 256, 65536, 4294967295,
    ]);
    expect([
      trace.firstIndexAtOrAfter(0),
      trace.firstIndexAtOrAfter(6),
      trace.firstIndexAtOrAfter(70_000),
    ]).toEqual([0, 1, 2]);
    expect(trace.spanMs).toBe(65531);
    expect(TaskTrace.encode([{ arrivalMs: 5, durationMs: 256 }])).toEqual(bytes.subarray(0, 8));
  });

  it.each([
    ['a length that is not a multiple of 8', Buffer.alloc(12)],
    [
      'records out of order',
      TaskTrace.encode([
        { arrivalMs: 10, durationMs: 1 },
        { arrivalMs: 5, durationMs: 1 },
      ]),
    ],
  ])('rejects %s', (_name, bytes) => {
    expect(() => new TaskTrace(bytes)).toThrow(RangeError);
  });
});

describe('load specs from JSON', () => {
  it.each([
    [{ kind: 'steady', ...QUEUE, tasksPerHour: 10, taskDurationMs: { minMs: 1, maxMs: 2 } }, undefined],
    [{ kind: 'bursts', ...QUEUE, tasksPerBurst: 5, everyMs: 1000, taskDurationMs: 5 }, undefined],
    [{ kind: 'trace', ...QUEUE, path: 'x.dat', timeScale: 2 }, undefined],
    [{ kind: 'steady', ...QUEUE, tasksPerHour: -1, taskDurationMs: 1 }, /tasksPerHour/],
    [{ kind: 'steady', ...QUEUE, tasksPerHour: 1, taskDurationMs: { minMs: 5, maxMs: 1 } }, /taskDurationMs/],
    [{ kind: 'bursts', ...QUEUE, tasksPerBurst: 5, everyMs: 0, taskDurationMs: 5 }, /everyMs/],
    [{ kind: 'trace', ...QUEUE, path: '' }, /path/],
    [{ kind: 'trace', ...QUEUE, path: 'x', timeScale: 0 }, /timeScale/],
    [
      { kind: 'steady', provisionerId: 'a/b', workerType: 'wt', tasksPerHour: 1, taskDurationMs: 1 },
      /provisionerId/,
    ],
    [{ kind: 'waves', ...QUEUE }, /kind/],
  ])('%j -> %s', (spec, error) => {
    if (error === undefined) expect(validateLoadSpecs([spec])).toEqual([spec]);
    else expect(() => validateLoadSpecs([spec])).toThrow(error);
  });
});
