import { describe, expect, it } from 'vitest';
import { keyPairName } from '../../src/domain/key-pair-name.js';
import { instanceTypeConfig } from '../../src/domain/worker-type.js';
import { Ec2Error, type Ec2Port } from '../../src/ec2/ec2-port.js';
import type { Database } from '../../src/store/database.js';
import { afterNextDescribe } from '../helpers/after-next-describe.js';
import { engines } from '../helpers/databases.js';
import { launchRogue, loopDefinition, loopHarnesses } from '../helpers/loop-harness.js';
import { overriding } from '../helpers/overriding.js';

const [pglite] = engines();
const engine = pglite as NonNullable<typeof pglite>;
const oneType = [instanceTypeConfig('c5.large')];
const PUBLIC_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBpuc9Nuvu99KuI8GyPqV0oXwwTaNl8Y8zKrFsvK1Y8T op@host';
const westOnly = () => ({ regions: loopDefinition(['us-west-2']).regions, instanceTypes: oneType });

describe('the provisioning loop keeps EC2 clean', () => {
  const start = loopHarnesses();

  it('terminates instances of worker types nobody defined (rogue), and publishes why', async () => {
    const h = await start(engine);
    const { instanceId } = await launchRogue(h.runtime.ec2);
    const report = await h.iterate();
    expect(h.world.ec2.instance(instanceId)?.state).toMatch(/shutting-down|terminated/);
    expect(report.plan.workerTypes.find((p) => p.workerType === 'ghost')?.terminations).toEqual([
      { region: 'us-west-2', instanceId, reason: 'rogue' },
    ]);
    const events = await h.test.db.query<{ routing_key: string }>(
      `SELECT routing_key FROM outbox WHERE exchange = 'instance-terminated'`,
    );
    expect(events.map((e) => e.routing_key)).toEqual(['primary.ghost.us-west-2.rogue._']);
  });

  it('retries a termination EC2 refused, counting the instance as capacity and spend until it goes', async () => {
    let refuse = false;
    const h = await start(engine, {
      wrapEc2: (ec2) =>
        overriding(ec2, {
          terminateInstances: (...args: Parameters<Ec2Port['terminateInstances']>) =>
            refuse
              ? Promise.reject(
                  new Ec2Error('unavailable', 'ServiceUnavailable', args[0], 'TerminateInstances', 'x'),
                )
              : ec2.terminateInstances(...args),
        }),
    });
    await h.define('shrink', { ...westOnly(), maxCapacity: 5 });
    h.addTasks('shrink', 3);
    await h.iterate(1, 0);
    expect(h.liveInstances('shrink')).toHaveLength(3);
    await h.runtime.workerTypes.update('shrink', { maxCapacity: 1 }, 'test');
    refuse = true;
    const refused = await h.iterate(1, 0);
    const plan = (r: typeof refused) => r.plan.workerTypes.find((p) => p.workerType === 'shrink');
    expect(plan(refused)?.terminations).toHaveLength(2);
    expect(refused.snapshots.find((s) => s.workerType === 'shrink')?.terminations).toBe(0);
    refuse = false;
    const retried = await h.iterate(1, 0);
    // Still counted (all three pending), so the surplus is planned again and this time terminated.
    expect(plan(retried)?.capacity.pendingCapacity).toBe(3);
    expect(plan(retried)?.hourlySpend.now).toBe(plan(refused)?.hourlySpend.now);
    expect(plan(retried)?.terminations).toHaveLength(2);
    expect(retried.snapshots.find((s) => s.workerType === 'shrink')?.terminations).toBe(2);
    expect(h.liveInstances('shrink')).toHaveLength(1);
  });

  it('holds no termination whose answer was lost against the worker type, though EC2 carried it out', async () => {
    let loseReply = false;
    const h = await start(engine, {
      wrapEc2: (ec2) =>
        overriding(ec2, {
          terminateInstances: async (...args: Parameters<Ec2Port['terminateInstances']>) => {
            await ec2.terminateInstances(...args);
            if (loseReply)
              throw new Ec2Error('unavailable', 'TimeoutError', args[0], 'TerminateInstances', 'lost');
          },
        }),
    });
    await h.define('shrink', { ...westOnly(), maxCapacity: 5 });
    h.addTasks('shrink', 4);
    await h.iterate(1, 0);
    await h.runtime.workerTypes.update('shrink', { maxCapacity: 1 }, 'test');
    loseReply = true;
    const lost = await h.iterate(1, 0);
    expect(lost.plan.workerTypes.find((p) => p.workerType === 'shrink')?.terminations).toHaveLength(3);
    expect(h.liveInstances('shrink')).toHaveLength(1);
    loseReply = false;
    // Three instances died before checking in, all by our hand: no breaker.
    const next = await h.iterate(2);
    const plan = next.plan.workerTypes.find((p) => p.workerType === 'shrink');
    expect(plan?.breaker?.status ?? 'closed').toBe('closed');
    expect(plan?.blocked).toEqual([]);
    expect(plan?.capacity).toMatchObject({ runningCapacity: 1, pendingCapacity: 0 });
    // Each termination announced once, though its answer was lost: with its record, before the call.
    const events = await h.test.db.query<{ routing_key: string }>(
      `SELECT routing_key FROM outbox WHERE exchange = 'instance-terminated'`,
    );
    expect(events.map((e) => e.routing_key)).toEqual(Array(3).fill('primary.shrink.us-west-2.scale-down._'));
  });

  it('terminates instances older than MAX_INSTANCE_LIFE (zombies) and replaces needed capacity', async () => {
    const h = await start(engine, { env: { MAX_INSTANCE_LIFE: '1' } });
    await h.define('old', { ...westOnly(), minCapacity: 1 });
    // A long task keeps the worker busy, so it outlives its maximum life instead of idling out.
    h.addTasks('old', 1, 3 * 3_600_000);
    await h.iterate();
    const [first] = h.liveInstances('old');
    expect(first).toBeDefined();
    await h.clock.advanceBy(61 * 60_000);
    const report = await h.iterate();
    const plan = report.plan.workerTypes.find((p) => p.workerType === 'old');
    expect(plan?.terminations).toEqual([
      { region: 'us-west-2', instanceId: first?.instanceId, reason: 'zombie' },
    ]);
    const live = h.liveInstances('old');
    expect(live).toHaveLength(1);
    expect(live[0]?.instanceId).not.toBe(first?.instanceId);
    // The zombie counts in no capacity figure of the snapshot, spot share included.
    const snapshot = report.snapshots.find((s) => s.workerType === 'old');
    expect(snapshot).toMatchObject({ runningCapacity: 0, pendingCapacity: 0, spotCapacity: 0 });
  });

  it('finishes removeWorkerType: terminates everything, deletes its key pairs, shows progress in state', async () => {
    const h = await start(engine);
    await h.define('doomed', { ...westOnly(), minCapacity: 2 });
    await h.iterate();
    expect(h.liveInstances('doomed')).toHaveLength(2);
    const keyName = keyPairName(h.config.awsKeyPrefix, 'doomed', undefined);
    expect(h.world.ec2.region('us-west-2').keyPairs.get(keyName)).toBeDefined();

    await h.runtime.workerTypes.remove('doomed', 'test');
    expect(await h.runtime.status.state('doomed')).toMatchObject({ removal: expect.any(Object) });
    await h.iterate();
    expect(h.liveInstances('doomed')).toHaveLength(0);
    const reasons = await h.test.db.query<{ reason: string }>('SELECT reason FROM instance_terminations');
    expect(reasons.map((r) => r.reason)).toEqual(['worker-type-removed', 'worker-type-removed']);
    // Once EC2 shows nothing of it, the removal finishes and the key pair goes.
    await h.iterate(2, 120_000);
    expect(await h.runtime.fleetView.pendingRemoval('doomed')).toBeUndefined();
    expect(h.world.ec2.region('us-west-2').keyPairs.get(keyName)).toBeUndefined();
  });

  it('deletes every key pair of a removed worker type, also those named after an earlier instance key', async () => {
    const before = await start(engine);
    await before.define('rotated', { ...westOnly(), minCapacity: 1 });
    await before.define('rotated-2', { ...westOnly(), minCapacity: 1 });
    await before.iterate();
    const keyPairs = before.world.ec2.region('us-west-2').keyPairs;
    const unkeyed = keyPairName(before.config.awsKeyPrefix, 'rotated', undefined);
    expect(keyPairs.get(unkeyed)).toBeDefined();
    // Restarted with an instance public key: the worker type's key pair gets a new name.
    const { test: database, clock, world } = before;
    const after = await start(engine, { database, clock, world, env: { AWS_INSTANCE_PUBKEY: PUBLIC_KEY } });
    await after.runtime.workerTypes.update('rotated', { maxCapacity: 5 }, 'test');
    const keyed = keyPairName(after.config.awsKeyPrefix, 'rotated', PUBLIC_KEY);
    expect(keyPairs.get(keyed)).toBeDefined();
    await after.runtime.workerTypes.remove('rotated', 'test');
    await after.iterate(3, 120_000);
    expect(await after.runtime.fleetView.pendingRemoval('rotated')).toBeUndefined();
    expect([unkeyed, keyed].filter((name) => keyPairs.get(name) !== undefined)).toEqual([]);
    // A worker type whose name starts the same keeps its own.
    expect(keyPairs.get(keyPairName(before.config.awsKeyPrefix, 'rotated-2', undefined))).toBeDefined();
  });

  it('keeps the key pair when a removed worker type is re-created, and cleans up only what came before', async () => {
    const h = await start(engine);
    await h.define('phoenix', { ...westOnly(), minCapacity: 1 });
    await h.iterate();
    const [old] = h.liveInstances('phoenix');
    await h.runtime.workerTypes.remove('phoenix', 'test');
    await h.clock.advanceBy(1000);
    await h.define('phoenix', { ...westOnly(), minCapacity: 1 });
    await h.iterate(3);
    const live = h.liveInstances('phoenix');
    expect(live).toHaveLength(1);
    expect(live[0]?.instanceId).not.toBe(old?.instanceId);
    const keyName = keyPairName(h.config.awsKeyPrefix, 'phoenix', undefined);
    expect(h.world.ec2.region('us-west-2').keyPairs.get(keyName)).toBeDefined();
    expect(await h.runtime.fleetView.pendingRemoval('phoenix')).toBeUndefined();
  });

  it('terminates an instance of the removed definition that EC2 launched after the removal and re-creation', async () => {
    let duringLaunch: (() => Promise<void>) | undefined;
    const h = await start(engine, {
      // Between recording the launch and sending it: the owner removes the worker type and re-creates it.
      wrapEc2: (ec2) =>
        overriding(ec2, {
          runInstance: async (...args: Parameters<Ec2Port['runInstance']>) => {
            const hook = duringLaunch;
            duringLaunch = undefined;
            await hook?.();
            return ec2.runInstance(...args);
          },
        }),
    });
    await h.define('phoenix', westOnly());
    h.addTasks('phoenix', 1, 10 * 3_600_000);
    duringLaunch = async () => {
      await h.clock.advanceBy(1000);
      await h.runtime.workerTypes.remove('phoenix', 'test');
      await h.clock.advanceBy(1000);
      await h.define('phoenix', {
        regions: westOnly().regions,
        instanceTypes: [instanceTypeConfig('m5.large')],
      });
    };
    await h.iterate();
    expect(duringLaunch).toBeUndefined();
    const [old] = h.liveInstances('phoenix');
    expect(old?.instanceType).toBe('c5.large');
    await h.iterate(3);
    expect(h.world.ec2.instance(old?.instanceId ?? '')?.state).toMatch(/shutting-down|terminated/);
    expect(await h.runtime.fleetView.pendingRemoval('phoenix')).toBeUndefined();
  });

  it.each([
    ['removed and re-created', true],
    ['updated', false],
  ] as const)(
    'launches nothing from a definition %s after the iteration read it; the next one launches the new',
    async (_name, remove) => {
      const duringIteration = afterNextDescribe();
      // After the iteration read the definitions (it describes EC2 next), before it launches.
      const h = await start(engine, { wrapEc2: duringIteration.wrapEc2 });
      await h.define('janus', westOnly());
      h.addTasks('janus', 2, 10 * 3_600_000);
      duringIteration.set(async () => {
        await h.clock.advanceBy(1000);
        const instanceTypes = [instanceTypeConfig('m5.large')];
        if (remove) {
          await h.runtime.workerTypes.remove('janus', 'test');
          await h.define('janus', { regions: westOnly().regions, instanceTypes });
        } else await h.runtime.workerTypes.update('janus', { instanceTypes }, 'test');
      });
      const first = await h.iterate();
      expect(duringIteration.pending).toBe(false);
      const launches = first.outcomes.find((o) => o.plan.workerType === 'janus')?.launches;
      expect(launches).toEqual([
        {
          outcome: 'deferred',
          reason: expect.stringContaining('the worker type changed since this iteration read it'),
          notRecorded: true,
        },
        {
          outcome: 'deferred',
          reason: expect.stringContaining('the worker type changed'),
          notRecorded: true,
        },
      ]);
      expect(h.liveInstances('janus')).toEqual([]);
      const [leaked] = await h.test.db.query<{ n: number }>('SELECT count(*)::int AS n FROM secrets');
      expect(leaked?.n).toBe(0);
      await h.iterate();
      expect(h.liveInstances('janus').map((i) => i.instanceType)).toEqual(['m5.large', 'm5.large']);
    },
  );

  it('keeps the key pair of a worker type re-created while the iteration finishing its removal runs', async () => {
    const duringIteration = afterNextDescribe();
    // After the iteration read the definitions (it describes EC2 next), before it acts.
    const h = await start(engine, { wrapEc2: duringIteration.wrapEc2 });
    await h.define('lazarus', westOnly());
    await h.runtime.workerTypes.remove('lazarus', 'test');
    duringIteration.set(() => h.define('lazarus', westOnly()).then(() => undefined));
    await h.iterate();
    expect(duringIteration.pending).toBe(false);
    const keyName = keyPairName(h.config.awsKeyPrefix, 'lazarus', undefined);
    expect(h.world.ec2.region('us-west-2').keyPairs.get(keyName)).toBeDefined();
    h.addTasks('lazarus', 2);
    const report = await h.iterate();
    const launches = report.outcomes.find((o) => o.plan.workerType === 'lazarus')?.launches;
    expect(launches?.map((l) => l.outcome)).toEqual(['launched', 'launched']);
  });

  it('makes a missing key pair again and launches, instead of failing every launch', async () => {
    const h = await start(engine);
    await h.define('keyless', westOnly());
    const keyName = keyPairName(h.config.awsKeyPrefix, 'keyless', undefined);
    await h.runtime.ec2.deleteKeyPair('us-west-2', keyName);
    h.addTasks('keyless', 3);
    const report = await h.iterate();
    const launches = report.outcomes.find((o) => o.plan.workerType === 'keyless')?.launches;
    expect(launches?.map((l) => l.outcome)).toEqual(['launched', 'launched', 'launched']);
    expect(h.world.ec2.region('us-west-2').keyPairs.get(keyName)).toBeDefined();
  });

  it('fails a launch for its missing key pair when the key pair cannot be made again', async () => {
    let refuse = false;
    const h = await start(engine, {
      wrapEc2: (ec2) =>
        overriding(ec2, {
          ensureKeyPair: (...args: Parameters<Ec2Port['ensureKeyPair']>) =>
            refuse
              ? Promise.reject(
                  new Ec2Error('invalid-request', 'UnauthorizedOperation', args[0], 'ImportKeyPair', 'no'),
                )
              : ec2.ensureKeyPair(...args),
        }),
    });
    await h.define('keyless', westOnly());
    await h.runtime.ec2.deleteKeyPair('us-west-2', keyPairName(h.config.awsKeyPrefix, 'keyless', undefined));
    refuse = true;
    h.addTasks('keyless', 2);
    const report = await h.iterate();
    const launches = report.outcomes.find((o) => o.plan.workerType === 'keyless')?.launches;
    expect(launches).toEqual([
      { outcome: 'failed', kind: 'not-found', code: 'InvalidKeyPair.NotFound' },
      { outcome: 'failed', kind: 'not-found', code: 'InvalidKeyPair.NotFound' },
    ]);
  });

  it('deletes the key pair of a removal committed while the iteration read definitions and removals', async () => {
    const inner = await engine.open();
    let betweenReads: (() => Promise<void>) | undefined;
    // The removal lands after the definitions were read, before the removals are: the plan sees both.
    const db: Database = overriding(inner.db, {
      query: async (sql: string, params?: readonly unknown[]) => {
        if (sql.includes('FROM worker_type_removals ORDER BY')) {
          const hook = betweenReads;
          betweenReads = undefined;
          await hook?.();
        }
        return inner.db.query(sql, params);
      },
    });
    const h = await start(engine, { database: { db, dispose: inner.dispose } });
    await h.define('split', westOnly());
    await h.iterate();
    betweenReads = () => h.runtime.workerTypes.remove('split', 'test').then(() => undefined);
    await h.iterate(2);
    expect(betweenReads).toBeUndefined();
    expect(await h.runtime.fleetView.pendingRemoval('split')).toBeUndefined();
    const keyName = keyPairName(h.config.awsKeyPrefix, 'split', undefined);
    expect(h.world.ec2.region('us-west-2').keyPairs.get(keyName)).toBeUndefined();
  });

  it('stops showing instances of a region dropped from ALLOWED_REGIONS, which it no longer describes', async () => {
    const before = await start(engine);
    const only = (region: string) => ({ regions: loopDefinition([region]).regions, instanceTypes: oneType });
    await before.define('east', { ...only('us-east-1'), minCapacity: 1 });
    await before.define('west', { ...only('us-west-2'), minCapacity: 1 });
    await before.iterate(2);
    const instancesInState = async (h: typeof before, workerType: string) => {
      const state = (await h.runtime.status.state(workerType)) as { instances: { region: string }[] };
      return state.instances.map((i) => i.region);
    };
    expect(await instancesInState(before, 'east')).toEqual(['us-east-1']);
    // A restart with us-east-1 no longer allowed, on the same database and world.
    const { test: database, clock, world } = before;
    const after = await start(engine, { database, clock, world, env: { ALLOWED_REGIONS: 'us-west-2' } });
    await after.iterate();
    expect(before.liveInstances('east')).toHaveLength(1);
    expect(await instancesInState(after, 'east')).toEqual([]);
    expect(await instancesInState(after, 'west')).toEqual(['us-west-2']);
  });
});
