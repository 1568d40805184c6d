import taskcluster from 'taskcluster-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INSTANCE_LIMIT } from '../../src/services/admin-service.js';
import type { WorkerTypeSnapshot } from '../../src/store/iteration-store.js';
import { ObservationStore } from '../../src/store/observation-store.js';
import { exampleDefinition } from '../fixtures/worker-types.js';
import { type ApiHarness, startApiHarness } from '../helpers/api-harness.js';
import { engines } from '../helpers/databases.js';
import { type AdminApp, startAdminApp } from '../ui/admin-app.js';

type Call = (...args: unknown[]) => Promise<Record<string, unknown>>;

const MINUTE = 60_000;

function snapshot(workerType: string, figures: Partial<WorkerTypeSnapshot> = {}): WorkerTypeSnapshot {
  return {
    workerType,
    pendingTasks: 0,
    runningCapacity: 0,
    pendingCapacity: 0,
    requestedCapacity: 0,
    spendPerHour: 0,
    spotCapacity: 0,
    launches: 0,
    launchFailures: 0,
    terminations: 0,
    blocked: null,
    decision: { change: 0 },
    ...figures,
  };
}

describe.each(engines())('the admin read endpoints on $name', (engine) => {
  let h: ApiHarness;
  let server: AdminApp;
  let api: Record<string, Call>;
  const now = () => Date.now();

  /** One finished iteration at `at` with these snapshots. */
  async function iteration(at: number, snapshots: WorkerTypeSnapshot[], errors: string[] = []) {
    const store = h.runtime.iterationStore;
    const id = await store.start(new Date(at));
    await store.saveSnapshots(id, snapshots, new Date(at));
    await store.finish(
      id,
      errors.length > 0 ? 'partial' : 'success',
      errors[0] ?? null,
      { errors },
      new Date(at),
    );
  }

  async function get(path: string) {
    const response = await fetch(`${server.url}/api/aws-provisioner/v1${path}`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  beforeAll(async () => {
    h = await startApiHarness(engine);
    server = await startAdminApp(h.runtime);
    const reference = await (await fetch(`${server.url}/api/aws-provisioner/v1/api-reference`)).json();
    const Client = taskcluster.createClient(reference);
    api = new Client({ rootUrl: server.url, retries: 0 }) as unknown as Record<string, Call>;
    const store = h.runtime.workerTypeStore;
    const at = new Date();
    await store.create('wt-busy', exampleDefinition({ minCapacity: 1, maxCapacity: 30 }), 'test', at);
    await store.create('wt-quiet', exampleDefinition({ maxCapacity: 5, maxHourlySpend: 2 }), 'test', at);
    await store.create('wt-gone', exampleDefinition(), 'test', at);
    await store.remove('wt-gone', 'test', at);
    await iteration(now() - 3 * MINUTE, [snapshot('wt-busy', { pendingTasks: 9, runningCapacity: 1 })]);
    await iteration(now() - 2 * MINUTE, [
      snapshot('wt-busy', {
        pendingTasks: 4,
        runningCapacity: 6,
        pendingCapacity: 2,
        requestedCapacity: 1,
        spendPerHour: 1.25,
        spotCapacity: 6,
        launchFailures: 2,
        blocked: 'money cap reached',
        decision: { change: 3, guardRails: [{ rail: 'money-cap' }] },
      }),
    ]);
    await iteration(now() - MINUTE, [], ['us-east-1: describe failed']);
  });
  afterAll(async () => {
    await server.close();
    await h.close();
  });

  it("lists every worker type with its latest snapshot's figures and the loop's health", async () => {
    const overview = await api.adminOverview?.();
    expect(overview?.workerTypes).toEqual([
      expect.objectContaining({
        workerType: 'wt-busy',
        defined: true,
        minCapacity: 1,
        maxCapacity: 30,
        pendingTasks: 4,
        runningCapacity: 6,
        pendingCapacity: 2,
        requestedCapacity: 1,
        spendPerHour: 1.25,
        spotShare: 0.75,
        launchFailures: 2,
        blocked: 'money cap reached',
      }),
      expect.objectContaining({ workerType: 'wt-gone', defined: false, maxCapacity: null }),
      expect.objectContaining({
        workerType: 'wt-quiet',
        defined: true,
        maxCapacity: 5,
        maxHourlySpend: 2,
        snapshotAt: null,
        pendingTasks: null,
        spotShare: null,
      }),
    ]);
    const loop = overview?.loop as {
      status: string;
      recentIterations: { outcome: string; summary: unknown }[];
    };
    expect(loop.status).toBe('healthy');
    expect(loop.recentIterations).toHaveLength(3);
    expect(loop.recentIterations[0]).toMatchObject({
      outcome: 'partial',
      error: 'us-east-1: describe failed',
      summary: { errors: ['us-east-1: describe failed'] },
    });
  });

  it('returns raw history points for a short window, oldest first', async () => {
    const history = await api.adminWorkerTypeHistory?.('wt-busy', { window: '1h' });
    const points = history?.points as { pendingTasks: number; runningCapacity: number; samples: number }[];
    expect(points.map((p) => [p.pendingTasks, p.runningCapacity, p.samples])).toEqual([
      [9, 1, 1],
      [4, 6, 1],
    ]);
  });

  it('aggregates a long window into at most `points` buckets: levels averaged, counts summed', async () => {
    const start = Date.parse('2031-01-01T00:00:00Z');
    for (let i = 0; i < 8; i++) {
      await iteration(start + i * MINUTE, [snapshot('wt-long', { pendingTasks: i, launches: 1 })]);
    }
    const history = await api.adminWorkerTypeHistory?.('wt-long', {
      since: '2031-01-01T00:00:00Z',
      until: '2031-01-01T00:08:00Z',
      points: '2',
    });
    expect(history?.bucketMs).toBe(4 * MINUTE);
    expect(history?.points).toEqual([
      expect.objectContaining({ at: '2031-01-01T00:03:00.000Z', pendingTasks: 1.5, launches: 4, samples: 4 }),
      expect.objectContaining({ at: '2031-01-01T00:07:00.000Z', pendingTasks: 5.5, launches: 4, samples: 4 }),
    ]);
  });

  it.each([
    ['an unknown window unit', '?window=5y', /window must be given once/],
    ['a timestamp without a zone', '?since=2031-01-01T00:00:00', /since must be given once/],
    ['an impossible date', '?until=2031-02-31T00:00:00Z&window=1h', /not a valid time/],
    ['too many points', '?points=5000', /points must be from 2 to 1000/],
    ['since after until', '?since=2031-01-02T00:00:00Z&until=2031-01-01T00:00:00Z', /earlier than until/],
    ['a repeated option', '?window=1h&window=2h', /window must be given once/],
  ])('refuses %s with 400 InvalidRequestArguments', async (_case, query, message) => {
    const reply = await get(`/admin/worker-type/wt-busy/history${query}`);
    expect(reply.status).toBe(400);
    expect(reply.body.code).toBe('InvalidRequestArguments');
    expect(reply.body.message).toMatch(message);
  });

  it('ignores query options a method does not declare', async () => {
    expect((await get('/admin/overview?bewit=abc&unknown=1')).status).toBe(200);
  });

  it('lists the query options in the reference entry, and none for methods without them', async () => {
    const reference = (await (await fetch(`${server.url}/api/aws-provisioner/v1/api-reference`)).json()) as {
      entries: { name: string; query: string[]; stability: string; scopes?: unknown }[];
    };
    const entry = (name: string) => reference.entries.find((e) => e.name === name);
    expect(entry('adminWorkerTypeHistory')).toMatchObject({
      query: ['since', 'until', 'window', 'points'],
      stability: 'experimental',
    });
    expect(entry('adminWorkerTypeHistory')?.scopes).toBeUndefined();
    expect(entry('workerType')?.query).toEqual([]);
  });

  it("shows a worker type's instances with prices and ages, failures, secrets and its decision record", async () => {
    const launchTime = now() - 10 * MINUTE;
    const instance = {
      region: 'us-west-2',
      workerType: 'wt-busy',
      zone: 'us-west-2a',
      imageId: 'ami-1',
      launchTime,
      spotRequestId: null,
      clientToken: null,
      stateReason: null,
    };
    await new ObservationStore(h.test.db).replaceRegion(
      'us-west-2',
      [
        {
          ...instance,
          instanceId: 'i-00000001',
          instanceType: 'c5.xlarge',
          state: 'running',
          market: 'spot',
          hourlyPrice: 0.07,
        },
        {
          ...instance,
          instanceId: 'i-00000002',
          instanceType: 'c5.2xlarge',
          state: 'pending',
          market: 'on-demand',
          hourlyPrice: null,
        },
        {
          ...instance,
          instanceId: 'i-00000003',
          workerType: 'other',
          instanceType: 'c5.xlarge',
          state: 'running',
          market: 'spot',
          hourlyPrice: 0.1,
        },
      ],
      [],
      new Date(),
    );
    const launch = {
      clientToken: 'token-1',
      workerType: 'wt-busy',
      region: 'us-west-2',
      zone: 'us-west-2b',
      instanceType: 'c5.xlarge',
      market: 'spot',
      maxPrice: 0.5,
      hourlyPrice: 0.07,
      capacity: 1,
      request: {} as never,
    };
    await h.runtime.launchStore.record(h.test.db, [launch], new Date());
    await h.runtime.launchStore.markFailed(
      h.test.db,
      'token-1',
      {
        kind: 'insufficient-capacity' as never,
        code: 'InsufficientInstanceCapacity',
        message: 'No capacity in us-west-2b',
      },
      new Date(),
    );
    const expiration = new Date(now() + 60 * MINUTE);
    await h.runtime.secretStore.create(
      { token: 'secret-token-1', workerType: 'wt-busy', secrets: {}, scopes: [], expiration },
      new Date(),
    );

    const details = await api.adminWorkerType?.('wt-busy');
    const instances = details?.instances as {
      instanceId: string;
      hourlyPrice: number | null;
      ageSeconds: number;
    }[];
    expect(instances.map((i) => [i.instanceId, i.hourlyPrice])).toEqual([
      ['i-00000001', 0.07],
      ['i-00000002', null],
    ]);
    expect(instances[0]?.ageSeconds).toBeGreaterThanOrEqual(600);
    expect(instances[0]).toMatchObject({
      region: 'us-west-2',
      zone: 'us-west-2a',
      market: 'spot',
      state: 'running',
    });
    expect(details?.launchFailures).toEqual([
      expect.objectContaining({
        zone: 'us-west-2b',
        code: 'InsufficientInstanceCapacity',
        message: 'No capacity in us-west-2b',
      }),
    ]);
    expect(details?.outstandingSecrets).toBe(1);
    expect(details?.latest).toMatchObject({ pendingTasks: 4, decision: { change: 3 } });
    expect(details?.instancesTruncated).toBe(false);
    expect(details?.removal).toBeNull();
  });

  it('counts every live instance, though the list keeps only the newest INSTANCE_LIMIT', async () => {
    const base = Date.now() - 60 * MINUTE;
    const row = (i: number, state: 'running' | 'pending' | 'terminated') => ({
      instanceId: `i-${String(i).padStart(8, '0')}`,
      region: 'us-east-1',
      workerType: 'wt-many',
      zone: 'us-east-1a',
      imageId: 'ami-1',
      instanceType: 'c5.xlarge',
      // The newest are the terminated ones: they fill the list.
      launchTime: base + i * 1000,
      state,
      market: 'spot' as const,
      hourlyPrice: 0.07,
      spotRequestId: null,
      clientToken: null,
      stateReason: null,
    });
    const rows = [
      ...Array.from({ length: 3 }, (_, i) => row(i, 'running')),
      row(3, 'pending'),
      ...Array.from({ length: INSTANCE_LIMIT }, (_, i) => row(10 + i, 'terminated')),
    ];
    await new ObservationStore(h.test.db).replaceRegion('us-east-1', rows, [], new Date());
    const details = await api.adminWorkerType?.('wt-many');
    expect(details?.instancesTruncated).toBe(true);
    expect(details?.liveInstances).toEqual({ running: 3, pending: 1 });
    await new ObservationStore(h.test.db).replaceRegion('us-east-1', [], [], new Date());
  });

  it('answers for a worker type the loop has never seen, with empty lists', async () => {
    const details = await api.adminWorkerType?.('wt-never');
    expect(details).toMatchObject({ instances: [], launchFailures: [], outstandingSecrets: 0, latest: null });
  });

  it('refuses a malformed worker type name like the v1 routes do', async () => {
    const reply = await get('/admin/worker-type/not%20valid');
    expect(reply.status).toBe(400);
    expect(reply.body.code).toBe('InvalidRequestArguments');
  });
});
