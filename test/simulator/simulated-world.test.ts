import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeInstancesCommand,
  DescribeRegionsCommand,
  EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import taskcluster from 'taskcluster-client';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock/virtual-clock.js';
import type { WorldEvent } from '../../src/simulator/ec2/event-log.js';
import { defaultImageId } from '../../src/simulator/ec2/scenario.js';
import { TaskTrace } from '../../src/simulator/load/task-trace.js';
import {
  SimulatedWorld,
  type WorldScenarioInput,
  type WorldSummary,
} from '../../src/simulator/simulated-world.js';
import { HOUR, launchWorkers, MINUTE, PROVISIONER, START, workerUserData } from './world-fixture.js';

const CAPACITY = 2;
const MAX_INSTANCES = 40;

const ONE_HOUR: WorldScenarioInput = {
  regions: ['us-east-1'],
  interruptions: { multiplier: 1000 },
  workers: { bootstrap: 'skip', idleTimeoutMs: 5 * MINUTE },
  load: [
    {
      kind: 'steady',
      provisionerId: PROVISIONER,
      workerType: 'wt',
      tasksPerHour: 300,
      taskDurationMs: { minMs: 2 * MINUTE, maxMs: 10 * MINUTE },
      endMs: 40 * MINUTE,
    },
    {
      kind: 'bursts',
      provisionerId: PROVISIONER,
      workerType: 'wt',
      startMs: 10 * MINUTE,
      everyMs: 20 * MINUTE,
      endMs: 40 * MINUTE,
      tasksPerBurst: 40,
      taskDurationMs: { minMs: MINUTE, maxMs: 5 * MINUTE },
    },
  ],
};

/** A crude provisioner over HTTP: asks the queue (taskcluster-client) and EC2 (the AWS SDK), launches spot. */
async function scaleOnce(ec2: EC2Client, queue: InstanceType<typeof taskcluster.Queue>): Promise<void> {
  const { pendingTasks } = await queue.pendingTasks(PROVISIONER, 'wt');
  const described = await ec2.send(
    new DescribeInstancesCommand({
      Filters: [
        { Name: 'tag:WorkerType', Values: [`${PROVISIONER}/wt`] },
        { Name: 'instance-state-name', Values: ['pending', 'running'] },
      ],
    }),
  );
  const live = (described.Reservations ?? []).flatMap((reservation) => reservation.Instances ?? []);
  const booting = live.filter((instance) => instance.State?.Name === 'pending').length;
  const wanted = Math.min(Math.ceil(pendingTasks / CAPACITY) - booting, MAX_INSTANCES - live.length, 10);
  if (wanted <= 0) return;
  await ec2.send(
    new RunInstancesCommand({
      ImageId: defaultImageId('us-east-1'),
      InstanceType: 'c5.large',
      MinCount: 1,
      MaxCount: wanted,
      UserData: workerUserData({ capacity: CAPACITY }),
      InstanceMarketOptions: { MarketType: 'spot' },
      TagSpecifications: [
        { ResourceType: 'instance', Tags: [{ Key: 'WorkerType', Value: `${PROVISIONER}/wt` }] },
      ],
    }),
  );
}

async function runOneHour(seed: string): Promise<{ events: WorldEvent[]; summary: WorldSummary }> {
  const clock = new VirtualClock(START);
  const world = new SimulatedWorld({ clock, seed, scenario: ONE_HOUR });
  const server = await world.start();
  const ec2 = new EC2Client({
    region: 'us-east-1',
    endpoint: server.url,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  const queue = new taskcluster.Queue({ rootUrl: server.url, retries: 0 });
  try {
    for (let minute = 0; minute < 60; minute++) {
      await scaleOnce(ec2, queue);
      if (minute === 30) world.ec2.faults.interruptionWave({ region: 'us-east-1', fraction: 0.5 });
      await clock.advanceBy(MINUTE);
    }
    return { events: world.events.list(), summary: world.summary() };
  } finally {
    ec2.destroy();
    await world.stop();
  }
}

describe('simulated world', () => {
  it('runs an hour of load, spot workers and interruptions in virtual time, the same for the same seed', async () => {
    const first = await runOneHour('hour-a');
    const again = await runOneHour('hour-a');
    const other = await runOneHour('hour-b');
    expect(JSON.stringify(again.events)).toBe(JSON.stringify(first.events));
    expect(JSON.stringify(other.events)).not.toBe(JSON.stringify(first.events));

    const { summary, events } = first;
    const count = (type: string) => events.filter((event) => event.type === type).length;
    expect(summary.elapsedMs).toBe(HOUR);
    expect(summary.tasks.created).toBe(count('task-created'));
    expect(summary.tasks.created).toBeGreaterThan(200);
    expect(summary.tasks.completed).toBeGreaterThan(150);
    expect(summary.tasks.requeued).toBe(count('task-requeued'));
    expect(summary.tasks.requeued).toBeGreaterThan(0);
    expect(summary.instances.launched).toBe(count('instance-launched'));
    expect(summary.instances.interruptions).toBeGreaterThan(0);
    expect(count('worker-idle-shutdown')).toBeGreaterThan(0);
    const { wait } = summary.tasks;
    expect(wait.count).toBe(summary.tasks.created);
    expect(wait.p50Ms).toBeLessThanOrEqual(wait.p95Ms);
    expect(wait.p95Ms).toBeLessThanOrEqual(wait.p99Ms);
    expect(wait.p99Ms).toBeLessThanOrEqual(wait.maxMs);
    expect(summary.fleet.costUsd).toBeGreaterThan(0);
    expect(summary.fleet.idleFraction).toBeGreaterThan(0);
    expect(summary.fleet.idleFraction).toBeLessThan(1);
    // Every lost task ran again or waits again: none vanished.
    const { created, pending, running, completed } = summary.tasks;
    expect(pending + running + completed).toBe(created);
  });

  it('serves EC2, the queue and the control APIs on one port', async () => {
    const clock = new VirtualClock(START);
    const world = new SimulatedWorld({ clock, scenario: { workers: { bootstrap: 'skip' } } });
    const { url } = await world.start();
    const ec2 = new EC2Client({
      region: 'eu-central-1',
      endpoint: url,
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      maxAttempts: 1,
    });
    try {
      const regions = await ec2.send(new DescribeRegionsCommand({}));
      expect(regions.Regions?.map((region) => region.RegionName)).toContain('eu-central-1');
      const started = await fetch(`${url}/simulator/v1/world/load`, {
        method: 'POST',
        body: JSON.stringify({
          kind: 'bursts',
          provisionerId: PROVISIONER,
          workerType: 'wt',
          everyMs: HOUR,
          tasksPerBurst: 4,
          taskDurationMs: MINUTE,
        }),
      });
      expect(started.status).toBe(200);
      await clock.advanceBy(0);
      const queue = new taskcluster.Queue({ rootUrl: url, retries: 0 });
      expect((await queue.pendingTasks(PROVISIONER, 'wt')).pendingTasks).toBe(4);
      const summary = (await (await fetch(`${url}/simulator/v1/world/summary`)).json()) as WorldSummary;
      expect(summary.tasks.created).toBe(4);
      const events = await (await fetch(`${url}/simulator/v1/ec2/events?type=task-created`)).json();
      expect((events as { events: unknown[] }).events).toHaveLength(4);
      const trace = await fetch(`${url}/simulator/v1/world/load`, {
        method: 'POST',
        body: JSON.stringify({ kind: 'trace', provisionerId: 'p', workerType: 'w', path: '/etc/passwd' }),
      });
      expect(trace.status).toBe(400);
    } finally {
      ec2.destroy();
      await world.stop();
    }
    expect(world.url).toBeUndefined();
  });

  it('replays a trace file named by its scenario, read when the world is created', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'world-trace-'));
    try {
      const path = join(dir, 'tiny.dat');
      await writeFile(
        path,
        TaskTrace.encode([
          { arrivalMs: 0, durationMs: 5 * MINUTE },
          { arrivalMs: 2 * MINUTE, durationMs: 5 * MINUTE },
          { arrivalMs: 2 * MINUTE, durationMs: 5 * MINUTE },
        ]),
      );
      const clock = new VirtualClock(START);
      const world = await SimulatedWorld.create({
        clock,
        scenario: {
          regions: ['us-east-1'],
          interruptions: { multiplier: 0 },
          workers: { bootstrap: 'skip', idleTimeoutMs: 5 * MINUTE },
          load: [{ kind: 'trace', provisionerId: PROVISIONER, workerType: 'wt', path, startMs: MINUTE }],
        },
      });
      launchWorkers(world.ec2, { userData: workerUserData({ capacity: 3 }) });
      await clock.advanceTo(START + HOUR);
      const summary = world.summary();
      expect(summary.tasks).toMatchObject({ created: 3, completed: 3, pending: 0 });
      expect(summary.fleet).toMatchObject({ instancesRun: 1, liveWorkers: 0, slotBusyMs: 15 * MINUTE });
      expect(summary.instances.byState.terminated).toBe(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
