import { describe, expect, it } from 'vitest';
import { RealClock } from '../../src/clock/clock.js';
import { loadConfig } from '../../src/config/config.js';
import { instanceTypeConfig } from '../../src/domain/worker-type.js';
import { createLogger } from '../../src/log/logger.js';
import { Runtime } from '../../src/main.js';
import type { DemandCheck } from '../../src/provisioner/next-iteration.js';
import { taskQueueIdOf } from '../../src/simulator/queue/task-queue.js';
import { SimulatedWorld } from '../../src/simulator/simulated-world.js';
import { engines } from '../helpers/databases.js';
import { loopDefinition, loopHarnesses, PROVISIONER_ID } from '../helpers/loop-harness.js';

const [pglite] = engines();
const engine = pglite as NonNullable<typeof pglite>;
const instanceTypes = [instanceTypeConfig('c5.large', { capacity: 1, utility: 1 })];

describe('between iterations, the loop watches the queue for demand that outgrew the last iteration', () => {
  const start = loopHarnesses();

  it('reports demand grown past what was launched on two checks in a row, over the real queue API', async () => {
    const h = await start(engine);
    const check = h.demandCheck as DemandCheck;
    expect(check.everyMs).toBe(15_000);
    await h.define('alpha', { instanceTypes, maxCapacity: 10 });
    await h.define('beta', { instanceTypes, maxCapacity: 10 });
    h.addTasks('alpha', 2);
    await h.iterate(1, 15_000);
    expect(h.liveInstances('alpha')).toHaveLength(2);
    // The two tasks are still pending (their instances boot): covered, so no reason to hurry.
    expect(await check.outgrown()).toBeUndefined();
    h.addTasks('beta', 1);
    // Seen once: an idle worker may claim it before the next check.
    expect(await check.outgrown()).toBeUndefined();
    expect(await check.outgrown()).toBe('beta');
    // The early iteration launches for it and covers it again.
    const report = await h.iterate(1, 15_000);
    expect(report.plan.workerTypes.find((p) => p.workerType === 'beta')?.launches).toHaveLength(1);
    expect(await check.outgrown()).toBeUndefined();
    expect(await check.outgrown()).toBeUndefined();
  });

  it('ignores tasks that workers claim between two checks', async () => {
    const h = await start(engine);
    const check = h.demandCheck as DemandCheck;
    await h.define('gamma', { instanceTypes, maxCapacity: 10 });
    await h.iterate(1, 15_000);
    expect(await check.outgrown()).toBeUndefined();
    h.addTasks('gamma', 3);
    expect(await check.outgrown()).toBeUndefined();
    h.world.queue.claimWork(taskQueueIdOf(PROVISIONER_ID, 'gamma'), 'i-idle', 3);
    expect(await check.outgrown()).toBeUndefined();
    expect(h.reports).toHaveLength(1);
  });

  it('stays quiet for a worker type at its maxCapacity and after a failed iteration', async () => {
    const h = await start(engine);
    const check = h.demandCheck as DemandCheck;
    await h.define('capped', { instanceTypes, maxCapacity: 2 });
    h.addTasks('capped', 2);
    await h.iterate(1, 15_000);
    h.addTasks('capped', 5);
    expect(await check.outgrown()).toBeUndefined();

    await h.define('later', { instanceTypes, maxCapacity: 10 });
    await h.iterate(1, 15_000);
    h.addTasks('later', 3);
    await check.outgrown();
    expect(await check.outgrown()).toBe('later');
    await h.test.db.query('DROP TABLE loop_iterations CASCADE');
    await expect(h.pass.run()).rejects.toThrow();
    expect(await check.outgrown()).toBeUndefined();
    expect(await check.outgrown()).toBeUndefined();
  });

  it('is off under the classic strategy, whose original iterated on a fixed interval', async () => {
    const h = await start(engine, { env: { PROVISIONING_STRATEGY: 'classic' } });
    expect(h.demandCheck).toBeUndefined();
  });
});

describe('the running loop, in real time', () => {
  it('starts an iteration as soon as new tasks outgrow the last one, long before the interval', async () => {
    const world = new SimulatedWorld({
      clock: new RealClock(),
      scenario: { regions: ['us-west-2'], throttle: { enabled: false }, workers: { bootstrap: 'skip' } },
    });
    const simulator = await world.start();
    const test = await engine.open();
    const config = loadConfig({
      PROVISIONER_ID: 'early-test',
      ALLOWED_REGIONS: 'us-west-2',
      AWS_ENDPOINT_URL_EC2: simulator.url,
      TASKCLUSTER_ROOT_URL: simulator.url,
      TASKCLUSTER_CLIENT_ID: 'static/early',
      TASKCLUSTER_ACCESS_TOKEN: 'early-test-access-token',
      // Far longer than the test may take: a second iteration can only be an early one.
      ITERATION_INTERVAL: '3600',
      DEMAND_CHECK_INTERVAL: '0.1',
      LOG_LEVEL: 'silent',
    });
    const runtime = new Runtime({
      config,
      logger: createLogger('silent'),
      db: test.db,
      clock: new RealClock(),
      ec2Options: { credentials: { accessKeyId: 'test', secretAccessKey: 'test' } },
    });
    const { runner } = runtime.provisioning(runtime.queue as NonNullable<Runtime['queue']>);
    const scrape = () => runtime.metrics.registry.metrics();
    try {
      await runtime.workerTypes.create('alpha', loopDefinition(['us-west-2'], { instanceTypes }), 'test');
      runner.start();
      await until(async () =>
        (await scrape()).includes('aws_provisioner_iterations_total{outcome="success"} 1'),
      );
      expect(launched(world)).toBe(0);
      for (let i = 0; i < 2; i++)
        world.queue.createTask({ provisionerId: 'early-test', workerType: 'alpha', durationMs: 600_000 });
      await until(async () =>
        (await scrape()).includes('aws_provisioner_iterations_total{outcome="success"} 2'),
      );
      expect(await scrape()).toContain('aws_provisioner_early_iterations_total{worker_type="alpha"} 1');
      expect(launched(world)).toBe(2);
    } finally {
      await runner.stop();
      await runtime.close();
      await world.stop();
      await test.dispose();
    }
  });
});

function launched(world: SimulatedWorld): number {
  return world.ec2.listInstances().filter((i) => i.tags.WorkerType === 'early-test/alpha').length;
}

async function until(condition: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
