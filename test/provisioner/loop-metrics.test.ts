import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../helpers/databases.js';
import { type LoopHarness, startLoopHarness } from '../helpers/loop-harness.js';

const [pglite] = engines();

/** The value of one sample of the exposition text (labels given in any order). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const line = text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .find((l) => Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : Number.NaN;
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
    const launched = after
      .split('\n')
      .filter((l) => l.startsWith('aws_provisioner_launches_total{') && l.includes('worker_type="metered"'))
      .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
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
