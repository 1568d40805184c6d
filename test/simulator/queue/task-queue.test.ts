import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/clock/virtual-clock.js';
import { Fifo } from '../../../src/simulator/queue/fifo.js';
import { TaskQueue } from '../../../src/simulator/queue/task-queue.js';
import { percentile, summarizeWaits } from '../../../src/simulator/queue/wait-summary.js';

const START = Date.UTC(2024, 0, 1);
const QUEUE = 'prov/wt';

function newQueue(options: { retainCompletedTasks?: number } = {}) {
  const clock = new VirtualClock(START);
  return { clock, queue: new TaskQueue({ clock, seed: 'queue-tests', ...options }) };
}

function task(durationMs = 1000) {
  return { provisionerId: 'prov', workerType: 'wt', durationMs };
}

describe('wait-time statistics', () => {
  it.each([
    { values: [], p: 50, expected: 0 },
    { values: [7], p: 99, expected: 7 },
    { values: [1, 2, 3, 4], p: 50, expected: 2 },
    { values: [1, 2, 3, 4], p: 51, expected: 3 },
    { values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], p: 95, expected: 10 },
    { values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], p: 90, expected: 9 },
  ])('nearest-rank p$p of $values is $expected', ({ values, p, expected }) => {
    expect(percentile(values, p)).toBe(expected);
  });

  it('summarises unsorted waits', () => {
    expect(summarizeWaits([30, 10, 20, 40])).toEqual({
      count: 4,
      meanMs: 25,
      p50Ms: 20,
      p95Ms: 40,
      p99Ms: 40,
      maxMs: 40,
    });
  });
});

describe('Fifo', () => {
  it('keeps order across many pushes and shifts', () => {
    const fifo = new Fifo<number>();
    const out: number[] = [];
    for (let i = 0; i < 5000; i++) {
      fifo.push(i);
      if (i % 3 === 0) out.push(fifo.shift() as number);
    }
    while (fifo.size > 0) out.push(fifo.shift() as number);
    expect(out).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    expect(fifo.shift()).toBeUndefined();
  });
});

describe('simulated queue', () => {
  it('claims first-in first-out, up to the number asked for, per queue', async () => {
    const { clock, queue } = newQueue();
    const ids = [queue.createTask(task(1)), queue.createTask(task(2)), queue.createTask(task(3))];
    const other = queue.createTask({ provisionerId: 'prov', workerType: 'other', durationMs: 5 });
    expect(queue.pendingTasks(QUEUE)).toBe(3);
    expect(queue.pendingTasks('prov/unknown')).toBe(0);
    await clock.advanceBy(1000);
    const claimed = queue.claimWork(QUEUE, 'i-1', 2);
    expect(claimed.map((c) => c.taskId)).toEqual(ids.slice(0, 2));
    expect(claimed.map((c) => c.durationMs)).toEqual([1, 2]);
    expect(queue.pendingTasks(QUEUE)).toBe(1);
    expect(queue.claimWork(QUEUE, 'i-2', 5).map((c) => c.taskId)).toEqual([ids[2]]);
    expect(queue.claimWork(QUEUE, 'i-2', 5)).toEqual([]);
    expect(queue.pendingTasks('prov/other')).toBe(1);
    expect(queue.task(other)?.state).toBe('pending');
  });

  it('computes wait times on a hand-worked case, including a re-queued task and one still pending', async () => {
    const { clock, queue } = newQueue();
    const a = queue.createTask(task()); // t=0
    await clock.advanceBy(10_000);
    const b = queue.createTask(task()); // t=10
    const [claimA] = queue.claimWork(QUEUE, 'i-1', 1); // a waited 10 s
    await clock.advanceBy(20_000); // t=30
    const [claimB] = queue.claimWork(QUEUE, 'i-1', 1); // b waited 20 s
    expect(queue.resolveTask(a, claimA?.runId ?? -1)).toBe(true);
    await clock.advanceBy(10_000); // t=40: b is lost and waits again
    expect(queue.requeueTask(b, claimB?.runId ?? -1, 'worker-shutdown')).toBe(true);
    const c = queue.createTask(task()); // t=40, behind b
    await clock.advanceBy(5_000); // t=45
    const [reclaimB] = queue.claimWork(QUEUE, 'i-2', 1);
    expect(reclaimB?.taskId).toBe(b);
    expect(reclaimB?.runId).toBe(1);
    await clock.advanceBy(15_000); // t=60: c is still pending after 20 s
    // Waits: a 10 s, b 20 + 5 = 25 s, c 20 s so far.
    expect(queue.task(a)).toMatchObject({
      state: 'completed',
      arrival: START,
      claim: START + 10_000,
      waitMs: 10_000,
    });
    expect(queue.task(a)?.finish).toBe(START + 30_000);
    expect(queue.task(b)).toMatchObject({ state: 'running', runs: 2, waitMs: 25_000, workerId: 'i-2' });
    expect(queue.task(c)).toMatchObject({ state: 'pending', runs: 0, waitMs: 20_000 });
    expect(queue.waitSummary()).toEqual({
      count: 3,
      meanMs: 55_000 / 3,
      p50Ms: 20_000,
      p95Ms: 25_000,
      p99Ms: 25_000,
      maxMs: 25_000,
    });
    expect(queue.counts()).toEqual({ created: 3, pending: 1, running: 1, completed: 1, requeued: 1 });
  });

  it('rejects a stale run resolving or re-queueing a task that runs again elsewhere', () => {
    const { queue } = newQueue();
    const id = queue.createTask(task());
    const [first] = queue.claimWork(QUEUE, 'i-1', 1);
    queue.requeueTask(id, first?.runId ?? -1, 'claim-expired');
    queue.claimWork(QUEUE, 'i-2', 1);
    expect(queue.resolveTask(id, first?.runId ?? -1)).toBe(false);
    expect(queue.requeueTask(id, first?.runId ?? -1, 'again')).toBe(false);
    expect(queue.resolveTask(id, 1)).toBe(true);
    expect(queue.resolveTask(id, 1)).toBe(false);
  });

  it('tells listeners about every task that becomes pending', () => {
    const { queue } = newQueue();
    const heard: string[] = [];
    const stop = queue.onTaskPending((taskQueueId) => heard.push(taskQueueId));
    const id = queue.createTask(task());
    const [claim] = queue.claimWork(QUEUE, 'i-1', 1);
    queue.requeueTask(id, claim?.runId ?? -1, 'lost');
    stop();
    queue.createTask(task());
    expect(heard).toEqual([QUEUE, QUEUE]);
  });

  it('logs task events and gives seeded slugid-shaped ids', () => {
    const ids = (seed: string) => {
      const queue = new TaskQueue({ clock: new VirtualClock(START), seed });
      return [queue.createTask(task()), queue.createTask(task())];
    };
    expect(ids('a')).toEqual(ids('a'));
    expect(ids('a')).not.toEqual(ids('b'));
    for (const id of ids('a')) expect(id).toMatch(/^[A-Za-f][A-Za-z0-9_-]{21}$/);
    const { queue } = newQueue();
    const id = queue.createTask(task(7));
    queue.claimWork(QUEUE, 'i-1', 1);
    queue.resolveTask(id, 0);
    expect(queue.events.list().map((event) => [event.type, event.taskId])).toEqual([
      ['task-created', id],
      ['task-claimed', id],
      ['task-completed', id],
    ]);
  });

  it('forgets the oldest completed tasks beyond the retention but keeps their waits', async () => {
    const { clock, queue } = newQueue({ retainCompletedTasks: 2 });
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      ids.push(queue.createTask(task()));
      await clock.advanceBy(1000);
      const [claim] = queue.claimWork(QUEUE, 'i-1', 1);
      queue.resolveTask(claim?.taskId ?? '', claim?.runId ?? -1);
    }
    expect(ids.map((id) => queue.task(id) !== undefined)).toEqual([false, false, true, true]);
    expect(queue.waitSummary()).toMatchObject({ count: 4, maxMs: 1000 });
  });

  it('refuses invalid task queues and durations', () => {
    const { queue } = newQueue();
    expect(() => queue.createTask({ provisionerId: 'a/b', workerType: 'wt', durationMs: 1 })).toThrow(
      RangeError,
    );
    expect(() => queue.createTask({ ...task(), durationMs: -1 })).toThrow(RangeError);
    expect(() => queue.createTask({ ...task(), durationMs: Number.NaN })).toThrow(RangeError);
  });
});
