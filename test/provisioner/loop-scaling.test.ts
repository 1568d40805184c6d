import { describe, expect, it } from 'vitest';
import { instanceTypeConfig } from '../../src/domain/worker-type.js';
import { engines } from '../helpers/databases.js';
import { loopDefinition, loopHarnesses } from '../helpers/loop-harness.js';

const oneType = (instanceType: string, capacity = 1, utility = 1) => [
  instanceTypeConfig(instanceType, { capacity, utility }),
];

// On both engines: the loop's own queries (launches, in-flight capacity, snapshots) run on PostgreSQL too.
describe.each(engines())('the provisioning loop scales against the simulated world, on $name', (engine) => {
  const start = loopHarnesses();

  it('launches capacity for pending tasks, tagged and with user data, and does not launch it twice', async () => {
    const h = await start(engine);
    await h.define('builder', { instanceTypes: oneType('c5.large') });
    h.addTasks('builder', 5);
    const first = await h.iterate();
    expect(first.outcome).toBe('success');
    const launched = h.liveInstances('builder');
    expect(launched).toHaveLength(5);
    expect(launched[0]?.tags).toEqual({
      Name: 'builder',
      Owner: 'loop-test',
      WorkerType: 'loop-test/builder',
    });
    const userData = JSON.parse(h.world.ec2.userData(launched[0]?.instanceId ?? '') ?? '{}');
    expect(userData).toMatchObject({ workerType: 'builder', provisionerId: 'loop-test', capacity: 1 });
    expect(userData.securityToken).toMatch(/^[A-Za-z0-9_-]{22}$/);
    // The next iteration sees them (pending or running) and the tasks they took: nothing new.
    await h.iterate(2);
    expect(h.liveInstances('builder')).toHaveLength(5);
    const [secrets] = await h.test.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM secrets WHERE worker_type = 'builder'`,
    );
    expect(secrets?.n).toBe(5);
  });

  it('previews the next iteration without launching or writing anything', async () => {
    const h = await start(engine);
    await h.define('preview', { instanceTypes: oneType('c5.large') });
    h.addTasks('preview', 3);
    const plan = await h.runtime.planPreviewer.plan();
    const preview = plan.workerTypes.find((p) => p.workerType === 'preview');
    expect(preview).toMatchObject({ pendingTasks: 3, change: 3 });
    expect(preview?.launches).toHaveLength(3);
    expect(h.liveInstances('preview')).toHaveLength(0);
    const written = await h.test.db.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM launches) + (SELECT count(*) FROM secrets) + (SELECT count(*) FROM loop_iterations)
         + (SELECT count(*) FROM observed_instances) AS n`,
    );
    expect(Number(written[0]?.n)).toBe(0);
    await expect(h.runtime.planPreviewer.planOf('nope')).rejects.toMatchObject({ code: 'ResourceNotFound' });
  });

  it('keeps minCapacity without tasks and never exceeds maxCapacity', async () => {
    const h = await start(engine);
    await h.define('kept', { minCapacity: 2, instanceTypes: oneType('c5.large') });
    await h.define('capped', { maxCapacity: 6, instanceTypes: oneType('c5.large', 2) });
    h.addTasks('capped', 40);
    await h.iterate(3);
    expect(h.liveInstances('kept')).toHaveLength(2);
    expect(h.liveInstances('capped')).toHaveLength(3);
    const summary = (await h.runtime.status.summaries()).find((s) => s.workerType === 'capped');
    expect((summary?.runningCapacity ?? 0) + (summary?.pendingCapacity ?? 0)).toBe(6);
  });

  it('launches in the cheapest pool by price per utility, spreading over near-equal ones', async () => {
    const h = await start(engine);
    await h.define('cheap', {
      regions: loopDefinition(['us-west-2']).regions,
      instanceTypes: [...oneType('c5.large'), ...oneType('m5.large')],
    });
    // c5.large in us-west-2b is far cheaper than every other pool.
    for (const zone of ['us-west-2a', 'us-west-2b', 'us-west-2c']) {
      for (const type of ['c5.large', 'm5.large']) {
        const price = zone === 'us-west-2b' && type === 'c5.large' ? 0.01 : 0.08;
        const now = h.clock.now();
        h.world.ec2.market.addOverride({
          region: 'us-west-2',
          zone,
          instanceType: type,
          from: now - 3_600_000,
          until: Infinity,
          price,
        });
      }
    }
    h.addTasks('cheap', 4);
    const report = await h.iterate();
    const pools = h.liveInstances('cheap').map((i) => `${i.zone}/${i.instanceType}`);
    expect(pools).toEqual(Array(4).fill('us-west-2b/c5.large'));
    const decision = report.plan.workerTypes.find((p) => p.workerType === 'cheap')?.record;
    expect(decision?.offers?.candidates[0]).toMatchObject({ zone: 'us-west-2b', instanceType: 'c5.large' });
  });

  it('falls back to on-demand when no spot offer is within maxPrice, only if allowed', async () => {
    const h = await start(engine);
    const expensive = {
      regions: loopDefinition(['us-west-2']).regions,
      instanceTypes: oneType('c5.large'),
      maxPrice: 0.001,
    };
    await h.define('od-allowed', { ...expensive, canUseOndemand: true });
    await h.define('od-refused', { ...expensive, canUseOndemand: false });
    h.addTasks('od-allowed', 2);
    h.addTasks('od-refused', 2);
    const report = await h.iterate();
    expect(h.liveInstances('od-allowed').map((i) => i.market)).toEqual(['on-demand', 'on-demand']);
    expect(h.liveInstances('od-refused')).toHaveLength(0);
    const refused = report.plan.workerTypes.find((p) => p.workerType === 'od-refused');
    expect(refused?.record.offers?.unmet?.reasons).toContain('over-max-price');
  });

  it('uses spot only when allowed: canUseSpot false launches on-demand', async () => {
    const h = await start(engine);
    await h.define('no-spot', {
      instanceTypes: oneType('c5.large'),
      canUseSpot: false,
      canUseOndemand: true,
    });
    h.addTasks('no-spot', 3);
    await h.iterate();
    expect(h.liveInstances('no-spot').map((i) => i.market)).toEqual(['on-demand', 'on-demand', 'on-demand']);
  });
});
