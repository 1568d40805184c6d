import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/clock/virtual-clock.js';
import { Ec2World } from '../../../src/simulator/ec2/ec2-world.js';
import type { ScenarioInput } from '../../../src/simulator/ec2/scenario.js';
import { TaskQueue } from '../../../src/simulator/queue/task-queue.js';
import { billedMs } from '../../../src/simulator/workers/instance-account.js';
import { WorkerFleet } from '../../../src/simulator/workers/worker-fleet.js';
import type { WorkerSettings } from '../../../src/simulator/workers/worker-settings.js';
import { launchWorkers, MINUTE, PROVISIONER, QUIET_EC2, START, workerUserData } from '../world-fixture.js';

const QUEUE = `${PROVISIONER}/wt`;
const SECOND = 1000;

function world(options: { ec2?: ScenarioInput; workers?: Partial<WorkerSettings> } = {}) {
  const clock = new VirtualClock(START);
  const ec2 = new Ec2World({ clock, scenario: { ...QUIET_EC2, ...options.ec2 } });
  const queue = new TaskQueue({ clock, events: ec2.events, seed: 'workers' });
  const fleet = new WorkerFleet({ ec2, queue, settings: { bootstrap: 'skip', ...options.workers } });
  const addTasks = (count: number, durationMs: number) =>
    Array.from({ length: count }, () =>
      queue.createTask({ provisionerId: PROVISIONER, workerType: 'wt', durationMs }),
    );
  const at = (ms: number) => clock.advanceTo(START + ms);
  return { clock, ec2, queue, fleet, addTasks, at };
}

describe('simulated workers', () => {
  it('claim up to capacity, claim again when a slot frees, and shut down after the idle timeout', async () => {
    const { ec2, queue, fleet, addTasks, at } = world();
    const tasks = addTasks(5, 10 * MINUTE);
    const [id = ''] = launchWorkers(ec2, { userData: workerUserData({ capacity: 2 }) });
    await at(30 * SECOND); // boot takes 30 s
    expect(fleet.worker(id)?.runningTasks).toBe(2);
    await at(60 * MINUTE);
    const claims = tasks.map((task) => (queue.task(task)?.claim ?? 0) - START);
    expect(claims).toEqual([30 * SECOND, 30 * SECOND, 10.5 * MINUTE, 10.5 * MINUTE, 20.5 * MINUTE]);
    expect(tasks.every((task) => queue.task(task)?.state === 'completed')).toBe(true);
    // Idle from 30:30, shut down 15 minutes later, by itself.
    const instance = ec2.instance(id);
    expect(instance?.stateReason?.code).toBe('Client.InstanceInitiatedShutdown');
    const idle = ec2.events.list({ type: 'worker-idle-shutdown' });
    expect(idle).toMatchObject([{ instanceId: id, time: START + 45.5 * MINUTE, idleMs: 15 * MINUTE }]);
    expect(fleet.usage(id)).toMatchObject({
      capacity: 2,
      runningAt: START + 30 * SECOND,
      endedAt: START + 45.5 * MINUTE,
      uptimeMs: 45 * MINUTE,
      busyMs: 30 * MINUTE,
      idleMs: 15 * MINUTE,
      slotBusyMs: 50 * MINUTE,
      billedSeconds: 45 * 60,
    });
    const onDemand = ec2.catalog.onDemandPrice('us-east-1', 'c5.large') ?? 0;
    expect(fleet.usage(id)?.costUsd).toBeCloseTo(onDemand * 0.75, 10);
    expect(fleet.summary()).toMatchObject({ instancesRun: 1, liveWorkers: 0, idleFraction: 1 - 50 / 90 });
  });

  it.each([
    [{ afterIdleSeconds: 120 }, 2 * MINUTE],
    [{ afterIdleSeconds: 0 }, 0],
    [{ enabled: false, afterIdleSeconds: 120 }, null],
  ])(
    'take their idle timeout from the worker type userData, as docker-worker does: %j',
    async (shutdown, idleMs) => {
      const { ec2, addTasks, at } = world();
      addTasks(1, 10 * MINUTE);
      const [id = ''] = launchWorkers(ec2, { userData: workerUserData({ data: { shutdown } }) });
      await at(5 * 60 * MINUTE);
      const idle = ec2.events.list({ type: 'worker-idle-shutdown' });
      if (idleMs === null) {
        expect(idle).toEqual([]);
        expect(ec2.instance(id)?.state).toBe('running');
      } else {
        // Idle from 10:30, when its only task ended.
        expect(idle).toMatchObject([{ instanceId: id, time: START + 10.5 * MINUTE + idleMs, idleMs }]);
      }
    },
  );

  it('pick up a task that arrives while idle at their next poll tick', async () => {
    const { queue, fleet, ec2, addTasks, at } = world();
    const [id = ''] = launchWorkers(ec2);
    await at(30 * SECOND); // the worker polls at 30 s, 40 s, 50 s, ...
    expect(fleet.room.waitingCount(QUEUE)).toBe(1);
    await at(45 * SECOND);
    const [task = ''] = addTasks(1, MINUTE);
    await at(49 * SECOND);
    expect(queue.task(task)?.state).toBe('pending');
    await at(50 * SECOND);
    expect(queue.task(task)).toMatchObject({ state: 'running', workerId: id, waitMs: 5 * SECOND });
  });

  it('wake only as many idle workers as there are tasks to take', async () => {
    const { queue, fleet, ec2, addTasks, at } = world();
    const ids = launchWorkers(ec2, { count: 4 });
    await at(30 * SECOND);
    expect(fleet.room.waitingCount(QUEUE)).toBe(4);
    addTasks(1, MINUTE);
    expect(fleet.room.waitingCount(QUEUE)).toBe(3);
    await at(40 * SECOND);
    expect(ids.map((id) => fleet.worker(id)?.runningTasks)).toEqual([1, 0, 0, 0]);
    expect(queue.counts()).toMatchObject({ pending: 0, running: 1 });
  });

  it('lose their tasks to the queue when interrupted, and the tasks run again elsewhere', async () => {
    const { queue, fleet, ec2, addTasks, at } = world();
    const [spot = ''] = launchWorkers(ec2, { market: 'spot' });
    await at(30 * SECOND);
    const [task = ''] = addTasks(1, 30 * MINUTE);
    await at(40 * SECOND);
    expect(queue.task(task)).toMatchObject({ state: 'running', workerId: spot });
    const [spare = ''] = launchWorkers(ec2); // running from 1:10, idle, waiting
    await at(5 * MINUTE);
    ec2.faults.interruptionWave({ region: 'us-east-1', instanceType: 'c5.large' });
    expect(queue.task(task)).toMatchObject({ state: 'pending', runs: 1 });
    expect(ec2.events.list({ type: 'task-requeued' })).toMatchObject([
      { taskId: task, reason: 'worker-shutdown' },
    ]);
    await at(6 * MINUTE);
    expect(queue.task(task)).toMatchObject({ state: 'running', runs: 2, workerId: spare });
    await at(40 * MINUTE);
    expect(queue.task(task)?.state).toBe('completed');
    expect(ec2.instance(spot)?.stateReason?.code).toBe('Server.SpotInstanceTermination');
    expect(fleet.worker(spot)).toBeUndefined();
    // Busy from 0:40 until the notice at 5:00.
    expect(fleet.usage(spot)).toMatchObject({
      busyMs: 4 * MINUTE + 20 * SECOND,
      endedAt: START + 7 * MINUTE,
    });
  });

  it('get tasks back only when the claim expires if their instance is terminated without notice', async () => {
    const { queue, ec2, addTasks, at } = world({ workers: { claimTimeoutMs: 20 * MINUTE } });
    const [id = ''] = launchWorkers(ec2);
    const [task = ''] = addTasks(1, 60 * MINUTE);
    await at(30 * SECOND);
    ec2.launches.terminateInstances('us-east-1', [id]);
    await at(20 * MINUTE + 29 * SECOND);
    expect(queue.task(task)?.state).toBe('running');
    await at(20 * MINUTE + 30 * SECOND);
    expect(queue.task(task)?.state).toBe('pending');
    expect(ec2.events.list({ type: 'task-requeued' })).toMatchObject([
      { taskId: task, reason: 'claim-expired' },
    ]);
    expect(ec2.events.list({ type: 'worker-stopped' })).toMatchObject([
      { instanceId: id, reason: 'Client.UserInitiatedShutdown', lostTasks: 1 },
    ]);
  });

  it('leave an instance without worker user data alone, but still account for it', async () => {
    const { fleet, ec2, at } = world();
    const [id = ''] = launchWorkers(ec2, { userData: Buffer.from('#!/bin/sh\necho hi').toString('base64') });
    await at(2 * MINUTE);
    expect(fleet.worker(id)).toBeUndefined();
    expect(ec2.events.list({ type: 'worker-misconfigured' })).toMatchObject([
      { instanceId: id, error: 'the user data is not JSON' },
    ]);
    expect(ec2.instance(id)?.state).toBe('running');
    expect(fleet.usage(id)).toMatchObject({ uptimeMs: 90 * SECOND, busyMs: 0, capacity: 1 });
  });

  it('bill spot instances at the spot price over their running time', async () => {
    const { fleet, ec2, at } = world({ ec2: { prices: { changeProbability: 0 } } });
    const [id = ''] = launchWorkers(ec2, { market: 'spot' });
    await at(30 * SECOND + 10 * MINUTE);
    ec2.launches.terminateInstances('us-east-1', [id]);
    const instance = ec2.instance(id);
    const price = ec2.spotPrice('us-east-1', instance?.zone ?? '', 'c5.large') ?? 0;
    expect(price).toBeGreaterThan(0);
    expect(fleet.usage(id)?.costUsd).toBeCloseTo(price / 6, 10);
  });

  it.each([
    [0, 60_000],
    [10_000, 60_000],
    [60_000, 60_000],
    [60_001, 61_000],
    [3_600_000, 3_600_000],
  ])('bill an uptime of %i ms as %i ms (per second, one-minute minimum)', (uptime, billed) => {
    expect(billedMs(uptime)).toBe(billed);
  });
});
