import { describe, expect, it } from 'vitest';
import { instanceTypeConfig } from '../../src/domain/worker-type.js';
import { Ec2Error, type Ec2Port } from '../../src/ec2/ec2-port.js';
import { defaultImageId } from '../../src/simulator/ec2/scenario.js';
import type { Database, Queryable } from '../../src/store/database.js';
import { afterNextDescribe } from '../helpers/after-next-describe.js';
import { engines } from '../helpers/databases.js';
import { launchRogue, loopDefinition, loopHarnesses, PROVISIONER_ID } from '../helpers/loop-harness.js';
import { overriding } from '../helpers/overriding.js';
import { sampleValue } from '../metrics/exposition.js';

const [pglite] = engines();
const engine = pglite as NonNullable<typeof pglite>;
const oneType = (instanceType: string) => [instanceTypeConfig(instanceType)];

/** One region, one instance type: a worker type whose every launch goes to the same pool. */
const ONE_POOL = { regions: loopDefinition(['us-west-2']).regions, instanceTypes: oneType('c5.large') };

type LaunchRequest = Parameters<Ec2Port['runInstance']>[0];

/** The loop's EC2 port with `runInstance` replaced (the real one is passed along). */
const withRunInstance =
  (runInstance: (request: LaunchRequest, real: Ec2Port) => ReturnType<Ec2Port['runInstance']>) =>
  (ec2: Ec2Port): Ec2Port =>
    overriding(ec2, {
      runInstance: (request: LaunchRequest) => runInstance(request, ec2),
    });

/** The real database, except that statements `fails` picks throw (a crash or lost connection mid-way). */
function withFailingStatements(db: Database, fails: (sql: string) => boolean): Database {
  const guarded = (inner: Queryable): Queryable['query'] =>
    ((sql: string, params?: readonly unknown[]) => {
      if (fails(sql)) return Promise.reject(new Error(`injected failure: ${sql.slice(0, 30)}`));
      return inner.query(sql, params);
    }) as Queryable['query'];
  return overriding(db, {
    query: guarded(db),
    transaction: <T>(work: (tx: Queryable) => Promise<T>) =>
      db.transaction((tx) => work({ query: guarded(tx) })),
  });
}

describe('the provisioning loop under faults', () => {
  const start = loopHarnesses();

  it.each(['throttling-storm', 'region-down'] as const)(
    '%s in one region: worker types there pause and say why, the others provision',
    async (fault) => {
      const h = await start(engine);
      await h.define('west', ONE_POOL);
      await h.define('east', {
        regions: loopDefinition(['us-east-1']).regions,
        instanceTypes: oneType('c5.large'),
      });
      h.addTasks('west', 3);
      h.addTasks('east', 3);
      if (fault === 'throttling-storm')
        h.world.ec2.faults.throttlingStorm({ region: 'us-east-1', durationMs: 3_600_000 });
      else h.world.ec2.faults.regionDown({ region: 'us-east-1' });
      const report = await h.iterate();
      expect(report.outcome).toBe('partial');
      expect(h.liveInstances('west')).toHaveLength(3);
      expect(h.liveInstances('east')).toHaveLength(0);
      const east = report.plan.workerTypes.find((p) => p.workerType === 'east');
      expect(east?.blocked.map((b) => b.rail)).toContain('stale-state');
      expect(east?.blocked[0]?.message).toContain('us-east-1');
    },
  );

  it('does not scale up from an observation that took longer than its age bound to gather', async () => {
    let slow = false;
    const h = await start(engine, {
      wrapEc2: (ec2) =>
        overriding(ec2, {
          // Throttled and retried for three minutes (the bound is two intervals): what came back first is old.
          describeInstances: async (...args: Parameters<Ec2Port['describeInstances']>) => {
            const described = await ec2.describeInstances(...args);
            if (slow && args[0] === 'us-east-1') await h.clock.advanceBy(3 * 60_000);
            return described;
          },
        }),
    });
    await h.define('patient', ONE_POOL);
    h.addTasks('patient', 2, 3 * 3_600_000);
    slow = true;
    const report = await h.iterate();
    expect(report.plan.observation.stale).toBe(true);
    expect(report.plan.workerTypes[0]?.blocked.map((b) => b.rail)).toContain('stale-state');
    expect(h.liveInstances('patient')).toHaveLength(0);
    slow = false;
    await h.iterate();
    expect(h.liveInstances('patient')).toHaveLength(2);
  });

  it('ends an iteration whose describe hangs when its signal aborts (the iteration deadline), recording why', async () => {
    const h = await start(engine, {
      wrapEc2: (ec2) =>
        overriding(ec2, {
          // us-east-1 never answers: only the iteration's signal can end this call.
          describeInstances: (...args: Parameters<Ec2Port['describeInstances']>) => {
            const [region, , options] = args;
            if (region !== 'us-east-1') return ec2.describeInstances(...args);
            return new Promise<never>((_, reject) =>
              options?.signal?.addEventListener('abort', () => reject(options.signal?.reason), {
                once: true,
              }),
            );
          },
        }),
    });
    await h.define('patient', ONE_POOL);
    h.addTasks('patient', 2);
    const deadline = new AbortController();
    const run = h.pass.run(deadline.signal);
    setTimeout(() => deadline.abort(new Error('the iteration ran longer than 900000 ms')), 50);
    await expect(run).rejects.toThrow('ran longer than 900000 ms');
    const [iteration] = await h.test.db.query<{ outcome: string; error: string }>(
      'SELECT outcome, error FROM loop_iterations ORDER BY id DESC LIMIT 1',
    );
    expect(iteration).toEqual({ outcome: 'failure', error: 'the iteration ran longer than 900000 ms' });
    expect(h.liveInstances('patient')).toHaveLength(0);
  });

  it('refuses the launches of a former leader once another process leads: no double launch', async () => {
    const duringIteration = afterNextDescribe();
    // After the old leader read the database, before it records its launches: another process takes over.
    const h = await start(engine, { wrapEc2: duringIteration.wrapEc2 });
    const queue = h.runtime.queue as NonNullable<typeof h.runtime.queue>;
    const [former, next] = [h.runtime.provisioning(queue), h.runtime.provisioning(queue)];
    await h.define('contested', ONE_POOL);
    h.addTasks('contested', 2, 3_600_000);
    await former?.fence.claim(h.test.db);
    duringIteration.set(() => next?.fence.claim(h.test.db) ?? Promise.resolve());
    const stale = await former?.pass.run();
    expect(duringIteration.pending).toBe(false);
    expect(stale?.outcomes[0]?.launches).toEqual([
      { outcome: 'deferred', reason: 'not launched: another process leads the loop now', notRecorded: true },
      { outcome: 'deferred', reason: 'not launched: another process leads the loop now', notRecorded: true },
    ]);
    expect(h.liveInstances('contested')).toHaveLength(0);
    // Nothing was recorded, so no secret was issued either.
    const issued = async () =>
      sampleValue(await h.runtime.metrics.registry.metrics(), 'aws_provisioner_secrets_issued_total');
    expect(await issued()).toBe(0);
    await next?.pass.run();
    expect(h.liveInstances('contested')).toHaveLength(2);
    expect(await issued()).toBe(2);
  });

  it('refuses the terminations and cancellations of a former leader once another process leads', async () => {
    const duringIteration = afterNextDescribe();
    const h = await start(engine, { wrapEc2: duringIteration.wrapEc2 });
    const queue = h.runtime.queue as NonNullable<typeof h.runtime.queue>;
    const [former, next] = [h.runtime.provisioning(queue), h.runtime.provisioning(queue)];
    const { instanceId } = await launchRogue(h.runtime.ec2);
    // An open request that a price far too low keeps open.
    const [request] = h.world.ec2.launches.requestSpotInstances('us-west-2', {
      spec: { imageId: defaultImageId('us-west-2'), instanceType: 'c5.large' },
      instanceCount: 1,
      maxPrice: 0.0001,
      tags: { Name: 'ghost', Owner: PROVISIONER_ID, WorkerType: `${PROVISIONER_ID}/ghost` },
    });
    const spotRequestId = request?.spotRequestId;
    await h.clock.advanceBy(30_000); // until EC2 shows both
    await former?.fence.claim(h.test.db);
    duringIteration.set(() => next?.fence.claim(h.test.db) ?? Promise.resolve());
    const stale = await former?.pass.run();
    expect(duringIteration.pending).toBe(false);
    expect(stale?.plan.workerTypes.find((p) => p.workerType === 'ghost')?.terminations).toHaveLength(1);
    expect(stale?.errors).toEqual(
      expect.arrayContaining([
        'terminating 1 instances in us-west-2: another process leads the loop now',
        'cancelling 1 spot requests in us-west-2: another process leads the loop now',
      ]),
    );
    const requestState = () =>
      h.runtime.ec2
        .describeSpotRequests('us-west-2', { tags: { Owner: PROVISIONER_ID } })
        .then((requests) => requests.find((r) => r.spotRequestId === spotRequestId)?.state);
    expect(spotRequestId).toBeDefined();
    expect(await requestState()).toBe('open');
    expect(h.world.ec2.instance(instanceId)?.state).toMatch(/pending|running/);
    const events = async () => h.test.db.query(`SELECT 1 FROM outbox WHERE exchange = 'instance-terminated'`);
    expect(await events()).toHaveLength(0);
    await next?.pass.run();
    expect(h.world.ec2.instance(instanceId)?.state).toMatch(/shutting-down|terminated/);
    expect(await events()).toHaveLength(1);
    expect(await requestState()).toBe('cancelled');
  });

  it('reports no worker type figures from an iteration that ends after its process lost the leadership', async () => {
    const h = await start(engine);
    const queue = h.runtime.queue as NonNullable<typeof h.runtime.queue>;
    const [deposed, leader] = [h.runtime.provisioning(queue), h.runtime.provisioning(queue)];
    await h.define('gauged', ONE_POOL);
    const figures = async () =>
      sampleValue(
        await h.runtime.metrics.registry.metrics(),
        'aws_provisioner_worker_type_pending_capacity',
        {
          worker_type: 'gauged',
        },
      );
    await deposed?.fence.claim(h.test.db);
    deposed?.fence.markLost();
    h.addTasks('gauged', 1, 3_600_000);
    await deposed?.pass.run();
    expect(await figures()).toBeUndefined();
    await leader?.fence.claim(h.test.db);
    await leader?.pass.run();
    expect(await figures()).toBe(1);
  });

  it('stops launches still waiting when the iteration is aborted; the next one settles them, none twice', async () => {
    let hold = true;
    let waiting = 0;
    const deadline = new AbortController();
    const reason = new Error('the iteration ran longer than 900000 ms');
    const h = await start(engine, {
      wrapEc2: (ec2) =>
        overriding(ec2, {
          // EC2 never answers these: only the iteration's signal ends them, once both are waiting.
          runInstance: (...args: Parameters<Ec2Port['runInstance']>) => {
            const [, options] = args;
            if (!hold) return ec2.runInstance(...args);
            if (++waiting === 2) setTimeout(() => deadline.abort(reason), 10);
            return new Promise<never>((_, reject) =>
              options?.signal?.addEventListener('abort', () => reject(options.signal?.reason), {
                once: true,
              }),
            );
          },
        }),
    });
    await h.define('stalled', ONE_POOL);
    h.addTasks('stalled', 2, 3_600_000);
    await h.pass.run(deadline.signal).catch(() => {});
    const [pending] = await h.test.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM launches WHERE state = 'recorded'`,
    );
    expect(pending?.n).toBe(2);
    hold = false;
    await h.iterate(2);
    expect(h.liveInstances('stalled')).toHaveLength(2);
  });

  it('falls back to on-demand when spot has no capacity, only if allowed', async () => {
    const noSpot = withRunInstance(async (request, real) => {
      if (request.market !== 'spot') return real.runInstance(request);
      throw new Ec2Error(
        'insufficient-capacity',
        'InsufficientInstanceCapacity',
        request.region,
        'RunInstances',
        'none',
      );
    });
    const h = await start(engine, { wrapEc2: noSpot });
    await h.define('od-fallback', { ...ONE_POOL, canUseOndemand: true });
    await h.define('spot-only', { ...ONE_POOL, canUseOndemand: false });
    h.addTasks('od-fallback', 2, 3 * 3_600_000);
    h.addTasks('spot-only', 2, 3 * 3_600_000);
    await h.iterate(3);
    expect(h.liveInstances('od-fallback').map((i) => i.market)).toEqual(['on-demand', 'on-demand']);
    expect(h.liveInstances('spot-only')).toEqual([]);
    const launches = await h.test.db.query<{ market: string; state: string; n: number }>(
      `SELECT market, state, count(*)::int AS n FROM launches WHERE worker_type = 'od-fallback'
       GROUP BY market, state ORDER BY market, state`,
    );
    // The spot attempts failed (and were not retried for the same pool), then on-demand launched.
    expect(launches.filter((l) => l.market === 'on-demand')).toEqual([
      { market: 'on-demand', state: 'submitted', n: 2 },
    ]);
    const spot = launches.filter((l) => l.market === 'spot');
    expect(spot.length).toBeGreaterThan(0);
    expect(spot.every((l) => l.state === 'failed')).toBe(true);
  });

  it('skips a pool that ran out of capacity and launches elsewhere', async () => {
    const h = await start(engine);
    await h.define('ice', ONE_POOL);
    const now = h.clock.now();
    for (const zone of ['us-west-2a', 'us-west-2b', 'us-west-2c']) {
      const price = zone === 'us-west-2a' ? 0.01 : 0.05;
      h.world.ec2.market.addOverride({
        region: 'us-west-2',
        zone,
        instanceType: 'c5.large',
        from: now - 3_600_000,
        until: Infinity,
        price,
      });
    }
    h.world.ec2.faults.exhaustPool({ region: 'us-west-2', zone: 'us-west-2a', instanceType: 'c5.large' });
    h.addTasks('ice', 2);
    const first = await h.iterate();
    expect(
      first.outcomes[0]?.launches.every((l) => l.outcome === 'failed' && l.kind === 'insufficient-capacity'),
    ).toBe(true);
    const second = await h.iterate();
    expect(
      h
        .liveInstances('ice')
        .map((i) => i.zone)
        .every((z) => z !== 'us-west-2a'),
    ).toBe(true);
    expect(h.liveInstances('ice')).toHaveLength(2);
    const candidates = second.plan.workerTypes[0]?.record.offers?.candidates ?? [];
    expect(candidates.find((c) => c.zone === 'us-west-2a')?.excluded).toBe('capacity-failure');
    const failures = await h.runtime.launchStore.recentFailures('ice');
    expect(failures[0]).toMatchObject({ zone: 'us-west-2a', code: 'InsufficientInstanceCapacity' });
    // A new leader, and a preview in another process, know the failure too (they share only the database).
    h.addTasks('ice', 5);
    const queue = h.runtime.queue as NonNullable<typeof h.runtime.queue>;
    const fresh = h.runtime.provisioning(queue).pass;
    const excludedBy = async () =>
      (await fresh.preview()).workerTypes[0]?.record.offers?.candidates.find((c) => c.zone === 'us-west-2a');
    expect(await excludedBy()).toMatchObject({
      excluded: 'capacity-failure',
      detail: expect.stringContaining('InsufficientInstanceCapacity'),
    });
    await h.clock.advanceBy(10 * 60_000);
    expect((await excludedBy())?.excluded).not.toBe('capacity-failure');
    const [leaked] = await h.test.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM secrets WHERE consumed_at IS NULL',
    );
    expect(leaked?.n).toBe(2);
  });

  it('skips every pool of a region under a spot quota that was reached, and launches elsewhere', async () => {
    const h = await start(engine, { scenario: { limits: { maxSpotInstancesPerRegion: 1 } } });
    const bothRegions = {
      regions: loopDefinition(['us-west-2', 'us-east-1']).regions,
      instanceTypes: oneType('c5.large'),
    };
    await h.define('quota', bothRegions);
    h.addTasks('quota', 4, 3 * 3_600_000);
    await h.iterate(3);
    const regions = h.liveInstances('quota').map((i) => i.region);
    // One instance per region is all EC2 allows; after the first refusal a region is not tried again.
    expect(regions.sort()).toEqual(['us-east-1', 'us-west-2']);
    // Each region refused in one pass only: the iteration after a refusal tried it no more.
    const failures = await h.runtime.launchStore.recentFailures('quota');
    expect(failures.every((f) => f.code === 'MaxSpotInstanceCountExceeded')).toBe(true);
    const passesByRegion = new Map<string, Set<number>>();
    for (const f of failures) {
      passesByRegion.set(f.region, (passesByRegion.get(f.region) ?? new Set()).add(new Date(f.at).getTime()));
    }
    expect([...passesByRegion.values()].map((passes) => passes.size)).toEqual([1, 1]);
    const preview = await h.pass.preview();
    const candidates = preview.workerTypes[0]?.record.offers?.candidates ?? [];
    expect(
      candidates.filter((c) => c.market === 'spot').every((c) => c.excluded === 'capacity-failure'),
    ).toBe(true);
  });

  it('pauses a worker type whose launches keep failing for its own reasons, and says why in state', async () => {
    const real = await engine.open();
    // Runs once right after an iteration read the breakers: a change made while the iteration judges them.
    let afterBreakersRead: (() => Promise<unknown>) | undefined;
    const db = overriding(real.db, {
      query: (async (sql: string, params?: readonly unknown[]) => {
        const rows = await real.db.query(sql, params);
        if (sql.startsWith('SELECT worker_type, state FROM circuit_breakers') && afterBreakersRead) {
          const change = afterBreakersRead;
          afterBreakersRead = undefined;
          await change();
        }
        return rows;
      }) as Database['query'],
    });
    try {
      const h = await start(engine, { database: { ...real, db } });
      await h.define('broken', ONE_POOL);
      // Someone deregisters its image behind the service's back: every launch fails with InvalidAMIID.NotFound.
      const images = h.world.ec2.region('us-west-2').images;
      const image = images.get(defaultImageId('us-west-2'));
      if (!image) throw new Error('the simulator has no default image');
      images.remove(image);
      h.addTasks('broken', 5);
      const first = await h.iterate();
      expect(first.outcomes[0]?.launches.every((l) => l.outcome === 'failed' && l.kind === 'not-found')).toBe(
        true,
      );
      const second = await h.iterate();
      const plan = second.plan.workerTypes.find((p) => p.workerType === 'broken');
      expect(plan?.launches).toEqual([]);
      expect(plan?.blocked.map((b) => b.rail)).toContain('circuit-breaker');
      const state = (await h.runtime.status.state('broken')) as {
        breaker?: { status: string; reason: string };
      };
      expect(state.breaker).toMatchObject({ status: 'open' });
      expect(state.breaker?.reason).toMatch(/launch/i);

      // The owner fixes it (registers the image again, then updates the worker type) while an iteration judges
      // the open breaker:
      // that judgement does not overwrite the reset. Launches resume at the next iteration, not after the
      // cool-down, and the failures from before the fix, still within the breaker's window, do not count.
      afterBreakersRead = () => {
        h.world.ec2.resources.registerImage('us-west-2', { name: image.name, imageId: image.imageId });
        return h.runtime.workerTypes.update('broken', { description: 'fixed' }, 'test');
      };
      const during = await h.iterate();
      expect(afterBreakersRead).toBeUndefined();
      expect(during.plan.workerTypes.find((p) => p.workerType === 'broken')?.launches).toEqual([]);
      const third = await h.iterate();
      const resumed = third.outcomes.find((o) => o.plan.workerType === 'broken');
      expect(resumed?.launches.map((l) => l.outcome)).toEqual(Array(5).fill('launched'));
      const after = (await h.runtime.status.state('broken')) as { breaker?: { status: string } };
      expect(after.breaker?.status ?? 'closed').toBe('closed');
    } finally {
      await real.dispose();
    }
  });

  it('does not pay more than maxPrice when prices spike', async () => {
    const h = await start(engine);
    await h.define('spike', { ...ONE_POOL, maxPrice: 0.2 });
    h.world.ec2.faults.priceSpike({ region: 'us-west-2', price: 5 });
    h.addTasks('spike', 2);
    const report = await h.iterate();
    expect(h.liveInstances('spike')).toHaveLength(0);
    expect(report.plan.workerTypes[0]?.record.offers?.unmet?.reasons).toContain('over-max-price');
  });

  it('after a crash between recording a launch and hearing back, a restart neither duplicates nor leaks', async () => {
    // EC2 launches the instance but the answer is lost (the process dies): the launch stays recorded.
    const lostReply = withRunInstance(async (request, ec2) => {
      await ec2.runInstance(request);
      throw new Ec2Error('unavailable', 'RequestTimeout', request.region, 'RunInstances', 'connection lost');
    });
    const before = await start(engine, { wrapEc2: lostReply });
    await before.define('crash', ONE_POOL);
    before.addTasks('crash', 3);
    const first = await before.pass.run();
    expect(first.outcomes[0]?.launches.map((l) => l.outcome)).toEqual(['deferred', 'deferred', 'deferred']);
    expect(before.liveInstances('crash')).toHaveLength(3);
    // Restart: a new runtime on the same database and world; the recorded launches are resolved.
    const after = await start(engine, { database: before.test, clock: before.clock, world: before.world });
    await after.iterate(2);
    expect(after.liveInstances('crash')).toHaveLength(3);
    const states = await after.test.db.query<{ state: string; n: number }>(
      `SELECT state, count(*)::int AS n FROM launches GROUP BY state`,
    );
    expect(states).toEqual([{ state: 'submitted', n: 3 }]);
    const [secrets] = await after.test.db.query<{ n: number }>('SELECT count(*)::int AS n FROM secrets');
    expect(secrets?.n).toBe(3);
    // Each launch's event, which the lost reply kept from being written, is written once when resolved.
    const events = await after.test.db.query<{ payload: { instanceId: string } }>(
      `SELECT payload FROM outbox WHERE exchange = 'instance-launched'`,
    );
    expect(events.map((e) => e.payload.instanceId).sort()).toEqual(
      after
        .liveInstances('crash')
        .map((i) => i.instanceId)
        .sort(),
    );
  });

  it('settles each launch of one pass on its own: accepted ones marked with events, refused ones failed', async () => {
    // EC2 refuses every second launch for good; the pass's launches share their transactions.
    let calls = 0;
    const everySecondRefused = withRunInstance(async (request, ec2) => {
      if (calls++ % 2 === 1)
        throw new Ec2Error('invalid-request', 'InvalidParameterValue', request.region, 'RunInstances', 'no');
      return ec2.runInstance(request);
    });
    const h = await start(engine, { wrapEc2: everySecondRefused });
    await h.define('mixed', ONE_POOL);
    h.addTasks('mixed', 4);
    const report = await h.pass.run();
    const results = report.outcomes[0]?.launches ?? [];
    expect(results.map((l) => l.outcome)).toEqual(['launched', 'failed', 'launched', 'failed']);
    const launched = results.flatMap((l) => (l.outcome === 'launched' ? [l.instanceId] : []));
    expect(
      h
        .liveInstances('mixed')
        .map((i) => i.instanceId)
        .sort(),
    ).toEqual([...launched].sort());
    const rows = await h.test.db.query<{ state: string; instance_id: string | null; request: string }>(
      'SELECT state, instance_id, request FROM launches ORDER BY state, instance_id',
    );
    expect(rows.map((r) => [r.state, r.instance_id, r.request])).toEqual([
      ['failed', null, '{}'],
      ['failed', null, '{}'],
      ...[...launched].sort().map((id) => ['submitted', id, '{}']),
    ]);
    // The failed launches' secrets can never be redeemed; the launched ones' still can.
    const [secrets] = await h.test.db.query<{ open: number; discarded: number }>(
      `SELECT count(*) FILTER (WHERE consumed_at IS NULL)::int AS open,
              count(*) FILTER (WHERE consumed_at IS NOT NULL)::int AS discarded FROM secrets`,
    );
    expect(secrets).toEqual({ open: 2, discarded: 2 });
    const events = await h.test.db.query<{ payload: { instanceId: string } }>(
      `SELECT payload FROM outbox WHERE exchange = 'instance-launched'`,
    );
    expect(events.map((e) => e.payload.instanceId).sort()).toEqual([...launched].sort());
  });

  it('after a lost reply, a restart that cannot see the instances yet retries under the same tokens: no duplicate', async () => {
    const lostReply = withRunInstance(async (request, real) => {
      await real.runInstance(request);
      throw new Ec2Error('unavailable', 'RequestTimeout', request.region, 'RunInstances', 'reply lost');
    });
    // EC2 shows a new instance only after 90 s: the restart's first pass cannot see the three launched.
    const scenario = {
      delays: { instanceVisibility: { minMs: 90_000, maxMs: 90_000 }, boot: { minMs: 30_000 } },
    };
    const before = await start(engine, { wrapEc2: lostReply, scenario });
    await before.define('unseen', ONE_POOL);
    before.addTasks('unseen', 3, 3 * 3_600_000);
    await before.pass.run();
    const after = await start(engine, { database: before.test, clock: before.clock, world: before.world });
    const retry = await after.pass.run();
    expect(retry.plan.workerTypes.find((p) => p.workerType === 'unseen')?.launches).toEqual([]);
    await after.iterate(3);
    const all = after.world.ec2.listInstances().filter((i) => i.tags.WorkerType === 'loop-test/unseen');
    expect(all).toHaveLength(3);
    expect(after.liveInstances('unseen')).toHaveLength(3);
    const launches = await after.test.db.query<{ state: string; n: number }>(
      'SELECT state, count(*)::int AS n FROM launches GROUP BY state',
    );
    expect(launches).toEqual([{ state: 'submitted', n: 3 }]);
  });

  // 20 minutes down: longer than a submitted launch counts as in flight by itself (15 min), shorter than
  // the secret's life (40 min), so the recorded launches are retried, and must count from their retry on.
  it.each([0, 20])(
    'after a crash before the EC2 call, a restart %i min later launches exactly once',
    async (downMin) => {
      const neverSent = withRunInstance(async (request) => {
        throw new Ec2Error('unavailable', 'ConnectionRefused', request.region, 'RunInstances', 'never sent');
      });
      const before = await start(engine, { wrapEc2: neverSent });
      await before.define('precrash', ONE_POOL);
      before.addTasks('precrash', 2, 3 * 3_600_000);
      await before.pass.run();
      expect(before.liveInstances('precrash')).toHaveLength(0);
      await before.clock.advanceBy(downMin * 60_000);
      const after = await start(engine, { database: before.test, clock: before.clock, world: before.world });
      const retriedAt = after.clock.now();
      await after.iterate(3);
      expect(after.liveInstances('precrash')).toHaveLength(2);
      const launches = await after.test.db.query<{ state: string }>(`SELECT state FROM launches`);
      expect(launches).toEqual([{ state: 'submitted' }, { state: 'submitted' }]);
      // Instances launched by the retry get their whole 40 minutes to redeem their secrets.
      const secrets = await after.test.db.query<{ expiration: Date }>('SELECT expiration FROM secrets');
      expect(secrets).toHaveLength(2);
      for (const { expiration } of secrets) {
        expect(expiration.getTime()).toBeGreaterThanOrEqual(retriedAt + after.config.secretLifetimeMs);
      }
    },
  );

  it('abandons, never retries, a launch whose outcome was unknown when its worker type was removed', async () => {
    let reachable = false;
    const calls: string[] = [];
    const flaky = withRunInstance(async (request, real) => {
      calls.push(request.clientToken);
      if (!reachable)
        throw new Ec2Error('unavailable', 'ConnectionRefused', request.region, 'RunInstances', 'down');
      return real.runInstance(request);
    });
    const h = await start(engine, { wrapEc2: flaky });
    await h.define('gone', ONE_POOL);
    h.addTasks('gone', 2, 3 * 3_600_000);
    await h.pass.run();
    expect(calls).toHaveLength(2);
    await h.runtime.workerTypes.remove('gone', 'test');
    reachable = true;
    await h.iterate(2);
    expect(calls).toHaveLength(2);
    expect(h.liveInstances('gone')).toHaveLength(0);
    // 'unavailable', as EC2 could not be reached: not a fault of the definition for the circuit breaker.
    const rows = await h.test.db.query<{ state: string; kind: string; code: string; open: boolean }>(
      `SELECT l.state, l.error_kind AS kind, l.error_code AS code, s.consumed_at IS NULL AS open
       FROM launches l JOIN secrets s ON s.launch_token = l.client_token`,
    );
    expect(rows).toEqual([
      { state: 'failed', kind: 'unavailable', code: 'Abandoned', open: false },
      { state: 'failed', kind: 'unavailable', code: 'Abandoned', open: false },
    ]);
  });

  it('marks a refused launch failed and wipes its secret in one transaction: both or neither', async () => {
    const refused = withRunInstance(async (request) => {
      throw new Ec2Error('invalid-request', 'InvalidParameterValue', request.region, 'RunInstances', 'no');
    });
    const real = await engine.open();
    try {
      let wipeFails = true;
      const db = withFailingStatements(real.db, (sql) => wipeFails && sql.startsWith('UPDATE secrets'));
      const h = await start(engine, { wrapEc2: refused, database: { ...real, db } });
      await h.define('refused', ONE_POOL);
      h.addTasks('refused', 1);
      const launchAndSecret = () =>
        real.db.query<{ token: string; state: string; open: boolean }>(
          `SELECT l.client_token AS token, l.state, s.consumed_at IS NULL AS open FROM launches l
             JOIN secrets s ON s.launch_token = l.client_token ORDER BY l.created_at, l.client_token`,
        );
      const first = await h.pass.run();
      expect(first.outcome).toBe('partial');
      // The wipe failed, so the launch is not marked failed either: it stays to be settled next pass.
      const [pending, ...others] = await launchAndSecret();
      expect(others).toEqual([]);
      expect(pending).toMatchObject({ state: 'recorded', open: true });
      wipeFails = false;
      // Retried and refused again; this time both writes land (the pass may also try a new launch).
      await h.pass.run();
      const after = await launchAndSecret();
      expect(after.find((row) => row.token === pending?.token)).toMatchObject({
        state: 'failed',
        open: false,
      });
      expect(after.filter((row) => row.state !== 'failed' || row.open)).toEqual([]);
    } finally {
      await real.dispose();
    }
  });
});
