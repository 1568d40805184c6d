import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ec2Error, type Ec2Port } from '../../src/ec2/ec2-port.js';
import { engines } from '../helpers/databases.js';
import { type LoopHarness, startLoopHarness } from '../helpers/loop-harness.js';
import { overriding } from '../helpers/overriding.js';

const [pglite] = engines();

/** The value of one sample of the exposition text (labels given in any order). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const line = text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .find((l) => Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : Number.NaN;
}

/** Sum of a counter's samples for one worker type. */
function launchesOf(text: string, workerType: string): number {
  return text
    .split('\n')
    .filter(
      (l) => l.startsWith('aws_provisioner_launches_total{') && l.includes(`worker_type="${workerType}"`),
    )
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

describe('a scrape of /metrics follows the loop', () => {
  let h: LoopHarness;
  beforeAll(async () => {
    h = await startLoopHarness(pglite as NonNullable<typeof pglite>);
  });
  afterAll(() => h.close());

  it('shows iterations, EC2 calls, launches, capacity, pending tasks, spend and secrets moving', async () => {
    const app = await h.runtime.buildApiApp();
    const scrape = async () => (await app.inject({ method: 'GET', url: '/metrics' })).body;
    await h.define('metered');
    const before = await scrape();
    expect(sample(before, 'aws_provisioner_iterations_total', { outcome: 'success' })).toBeNaN();

    h.addTasks('metered', 4);
    await h.iterate();
    const after = await scrape();
    expect(sample(after, 'aws_provisioner_iterations_total', { outcome: 'success' })).toBe(1);
    expect(
      sample(after, 'aws_provisioner_ec2_calls_total', {
        region: 'us-west-2',
        action: 'DescribeInstances',
        outcome: 'ok',
      }),
    ).toBe(1);
    const launched = launchesOf(after, 'metered');
    expect(launched).toBeGreaterThan(0);
    expect(sample(after, 'aws_provisioner_secrets_issued_total')).toBe(launched);
    expect(sample(after, 'aws_provisioner_worker_type_pending_tasks', { worker_type: 'metered' })).toBe(4);

    await h.iterate(2);
    const later = await scrape();
    expect(sample(later, 'aws_provisioner_iterations_total', { outcome: 'success' })).toBe(3);
    expect(
      sample(later, 'aws_provisioner_worker_type_running_capacity', { worker_type: 'metered' }),
    ).toBeGreaterThan(0);
    expect(
      sample(later, 'aws_provisioner_worker_type_spend_usd_per_hour', { worker_type: 'metered' }),
    ).toBeGreaterThan(0);
    expect(sample(later, 'aws_provisioner_worker_type_pending_tasks', { worker_type: 'metered' })).toBe(0);
    expect(sample(later, 'aws_provisioner_outbox_backlog')).toBeGreaterThan(0);
    await app.close();
  });
});

describe('a process that runs the loop without the API', () => {
  it('answers /ping and /metrics for its health checks, and no API method', async () => {
    const h = await startLoopHarness(pglite as NonNullable<typeof pglite>);
    try {
      const app = await h.runtime.buildMetricsApp();
      const get = async (url: string) => (await app.inject({ method: 'GET', url })).statusCode;
      const ping = await app.inject({ method: 'GET', url: '/api/aws-provisioner/v1/ping' });
      expect(ping.statusCode).toBe(200);
      expect(ping.json()).toMatchObject({ alive: true });
      expect(await get('/metrics')).toBe(200);
      expect(await get('/api/aws-provisioner/v1/list-worker-types')).toBe(404);
      await app.close();
    } finally {
      await h.close();
    }
  });
});

describe('launches settled by a later iteration', () => {
  it('are counted once, when that iteration launches them; their secrets were counted when recorded', async () => {
    let unavailable = true;
    const h = await startLoopHarness(pglite as NonNullable<typeof pglite>, {
      wrapEc2: (ec2) =>
        overriding(ec2, {
          runInstance: (...args: Parameters<Ec2Port['runInstance']>) =>
            unavailable
              ? Promise.reject(
                  new Ec2Error('unavailable', 'ServiceUnavailable', 'us-west-2', 'RunInstances', 'x'),
                )
              : ec2.runInstance(...args),
        }),
    });
    try {
      const app = await h.runtime.buildApiApp();
      const scrape = async () => (await app.inject({ method: 'GET', url: '/metrics' })).body;
      await h.define('deferred');
      h.addTasks('deferred', 2);
      await h.iterate(1, 0);
      const deferred = await scrape();
      expect(launchesOf(deferred, 'deferred')).toBe(0);
      expect(sample(deferred, 'aws_provisioner_secrets_issued_total')).toBe(2);
      unavailable = false;
      const settled = await h.iterate(1, 0);
      expect(settled.settled.map((s) => s.result.outcome)).toEqual(['launched', 'launched']);
      // The report carries no request: its user data holds the instance's securityToken.
      expect(settled.settled.filter((s) => 'request' in s.launch)).toEqual([]);
      const after = await scrape();
      expect(launchesOf(after, 'deferred')).toBe(2);
      expect(sample(after, 'aws_provisioner_secrets_issued_total')).toBe(2);
      expect(h.liveInstances('deferred')).toHaveLength(2);
      await app.close();
    } finally {
      await h.close();
    }
  });
});

describe('launches the database refused to record', () => {
  it('issue no secret and launch nothing; the iteration reports why', async () => {
    const h = await startLoopHarness(pglite as NonNullable<typeof pglite>);
    try {
      // A real failure of the recording transaction, from the database itself.
      await h.test.db.query(`CREATE FUNCTION refuse_launch() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN RAISE EXCEPTION 'launches are read-only today'; END $$`);
      await h.test.db.query(
        'CREATE TRIGGER refuse_launch BEFORE INSERT ON launches FOR EACH ROW EXECUTE FUNCTION refuse_launch()',
      );
      const app = await h.runtime.buildApiApp();
      await h.define('refused');
      h.addTasks('refused', 2);
      const report = await h.iterate(1, 0);
      expect(report.errors.join('\n')).toContain('launches are read-only today');
      const scrape = (await app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(sample(scrape, 'aws_provisioner_secrets_issued_total')).toBe(0);
      expect(launchesOf(scrape, 'refused')).toBe(0);
      expect(h.liveInstances('refused')).toHaveLength(0);
      await app.close();
    } finally {
      await h.close();
    }
  });
});
