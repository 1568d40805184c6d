import { describe, expect, it } from 'vitest';
import type { Ec2CallEvent } from '../../src/ec2/ec2-gateway.js';
import { Metrics, type WorkerTypeFigures } from '../../src/metrics/metrics.js';
import { samplesOf, sampleValue } from './exposition.js';

const P = 'aws_provisioner_';

function newMetrics(): Metrics {
  return new Metrics({ defaultMetrics: false });
}

function figures(workerType: string, overrides: Partial<WorkerTypeFigures> = {}): WorkerTypeFigures {
  return {
    workerType,
    runningCapacity: 4,
    pendingCapacity: 2,
    requestedCapacity: 1,
    pendingTasks: 7,
    spendPerHourUsd: 1.25,
    spotShare: 0.75,
    ...overrides,
  };
}

describe('Metrics', () => {
  it('counts HTTP requests by method, route template and status, and observes their duration', async () => {
    const metrics = newMetrics();
    const route = '/api/aws-provisioner/v1/worker-type/:workerType';
    metrics.observeHttp('GET', route, 200, 0.02);
    metrics.observeHttp('GET', route, 200, 0.2);
    metrics.observeHttp('PUT', route, 400, 0.01);

    const text = await metrics.registry.metrics();
    expect(sampleValue(text, `${P}http_requests_total`, { method: 'GET', route, status_code: '200' })).toBe(
      2,
    );
    expect(sampleValue(text, `${P}http_requests_total`, { method: 'PUT', route, status_code: '400' })).toBe(
      1,
    );
    expect(sampleValue(text, `${P}http_request_duration_seconds_count`, { method: 'GET', route })).toBe(2);
    expect(sampleValue(text, `${P}http_request_duration_seconds_sum`, { method: 'GET', route })).toBeCloseTo(
      0.22,
    );
    expect(
      sampleValue(text, `${P}http_request_duration_seconds_bucket`, { method: 'GET', route, le: '0.025' }),
    ).toBe(1);
  });

  it('records iteration outcomes, durations and when the last one finished', async () => {
    const metrics = newMetrics();
    metrics.observeIteration('success', 3, Date.UTC(2024, 0, 1));
    metrics.observeIteration('partial', 12, Date.UTC(2024, 0, 1, 0, 1));
    metrics.observeIteration('success', 4, Date.UTC(2024, 0, 1, 0, 2));

    const text = await metrics.registry.metrics();
    expect(sampleValue(text, `${P}iterations_total`, { outcome: 'success' })).toBe(2);
    expect(sampleValue(text, `${P}iterations_total`, { outcome: 'partial' })).toBe(1);
    expect(sampleValue(text, `${P}iterations_total`, { outcome: 'failure' })).toBeUndefined();
    expect(sampleValue(text, `${P}iteration_duration_seconds_count`)).toBe(3);
    expect(sampleValue(text, `${P}iteration_duration_seconds_sum`)).toBe(19);
    expect(sampleValue(text, `${P}iteration_duration_seconds_bucket`, { le: '5' })).toBe(2);
    expect(sampleValue(text, `${P}last_iteration_timestamp_seconds`)).toBe(Date.UTC(2024, 0, 1, 0, 2) / 1000);
  });

  it('counts EC2 attempts by outcome, with throttles, retries and latency', async () => {
    const metrics = newMetrics();
    const events: Ec2CallEvent[] = [
      { region: 'us-east-1', action: 'RunInstances', outcome: 'throttled', attempt: 1, durationMs: 40 },
      { region: 'us-east-1', action: 'RunInstances', outcome: 'throttled', attempt: 2, durationMs: 60 },
      { region: 'us-east-1', action: 'RunInstances', outcome: 'ok', attempt: 3, durationMs: 300 },
      {
        region: 'eu-west-1',
        action: 'RunInstances',
        outcome: 'insufficient-capacity',
        attempt: 1,
        durationMs: 90,
      },
      { region: 'us-east-1', action: 'DescribeInstances', outcome: 'ok', attempt: 1, durationMs: 20 },
    ];
    // Passed unbound, the way Ec2GatewayOptions.onCall receives it.
    const onCall = metrics.observeEc2Call;
    for (const event of events) onCall(event);

    const text = await metrics.registry.metrics();
    const run = { region: 'us-east-1', action: 'RunInstances' };
    expect(sampleValue(text, `${P}ec2_calls_total`, { ...run, outcome: 'throttled' })).toBe(2);
    expect(sampleValue(text, `${P}ec2_calls_total`, { ...run, outcome: 'ok' })).toBe(1);
    expect(
      sampleValue(text, `${P}ec2_calls_total`, {
        region: 'eu-west-1',
        action: 'RunInstances',
        outcome: 'insufficient-capacity',
      }),
    ).toBe(1);
    expect(sampleValue(text, `${P}ec2_throttles_total`, run)).toBe(2);
    expect(sampleValue(text, `${P}ec2_retries_total`, run)).toBe(2);
    expect(
      sampleValue(text, `${P}ec2_retries_total`, { region: 'eu-west-1', action: 'RunInstances' }),
    ).toBeUndefined();
    expect(sampleValue(text, `${P}ec2_call_duration_seconds_count`, run)).toBe(3);
    expect(sampleValue(text, `${P}ec2_call_duration_seconds_sum`, run)).toBeCloseTo(0.4);
  });

  it('counts launches and launch failures by worker type, region, instance type, market and kind', async () => {
    const metrics = newMetrics();
    const launch = {
      workerType: 'gecko-b',
      region: 'us-west-2',
      instanceType: 'c5.xlarge',
      market: 'spot',
    } as const;
    metrics.observeLaunch(launch, 'ok');
    metrics.observeLaunch(launch, 'ok');
    metrics.observeLaunch(launch, 'price-too-low');
    metrics.observeLaunch({ ...launch, market: 'on-demand' }, 'insufficient-capacity');

    const text = await metrics.registry.metrics();
    const labels = {
      worker_type: 'gecko-b',
      region: 'us-west-2',
      instance_type: 'c5.xlarge',
      market: 'spot',
    };
    expect(sampleValue(text, `${P}launches_total`, labels)).toBe(2);
    expect(sampleValue(text, `${P}launch_failures_total`, { ...labels, kind: 'price-too-low' })).toBe(1);
    expect(
      sampleValue(text, `${P}launch_failures_total`, {
        ...labels,
        market: 'on-demand',
        kind: 'insufficient-capacity',
      }),
    ).toBe(1);
    expect(sampleValue(text, `${P}launches_total`, { ...labels, market: 'on-demand' })).toBeUndefined();
  });

  it('sets per-worker-type gauges and drops the series of worker types that disappeared', async () => {
    const metrics = newMetrics();
    metrics.setWorkerTypeFigures([figures('gecko-b'), figures('gecko-t', { runningCapacity: 9 })]);
    let text = await metrics.registry.metrics();
    const gecko = { worker_type: 'gecko-b' };
    expect(sampleValue(text, `${P}worker_type_running_capacity`, gecko)).toBe(4);
    expect(sampleValue(text, `${P}worker_type_pending_capacity`, gecko)).toBe(2);
    expect(sampleValue(text, `${P}worker_type_requested_capacity`, gecko)).toBe(1);
    expect(sampleValue(text, `${P}worker_type_pending_tasks`, gecko)).toBe(7);
    expect(sampleValue(text, `${P}worker_type_spend_usd_per_hour`, gecko)).toBe(1.25);
    expect(sampleValue(text, `${P}worker_type_spot_ratio`, gecko)).toBe(0.75);
    expect(sampleValue(text, `${P}worker_type_running_capacity`, { worker_type: 'gecko-t' })).toBe(9);

    metrics.setWorkerTypeFigures([figures('gecko-t', { runningCapacity: 3, pendingTasks: null })]);
    text = await metrics.registry.metrics();
    for (const name of [
      'running_capacity',
      'pending_capacity',
      'requested_capacity',
      'pending_tasks',
      'spend_usd_per_hour',
      'spot_ratio',
    ]) {
      expect(samplesOf(text, `${P}worker_type_${name}`, gecko), name).toEqual([]);
    }
    expect(sampleValue(text, `${P}worker_type_running_capacity`, { worker_type: 'gecko-t' })).toBe(3);
    // Unknown demand drops the figure rather than showing the previous iteration's.
    expect(samplesOf(text, `${P}worker_type_pending_tasks`)).toEqual([]);
  });

  it('counts secrets issued, redeemed and expired', async () => {
    const metrics = newMetrics();
    metrics.observeSecrets('issued');
    metrics.observeSecrets('issued');
    metrics.observeSecrets('redeemed');
    metrics.observeSecrets('expired', 5);
    metrics.observeSecrets('expired', 0);

    const text = await metrics.registry.metrics();
    expect(sampleValue(text, `${P}secrets_issued_total`)).toBe(2);
    expect(sampleValue(text, `${P}secrets_redeemed_total`)).toBe(1);
    expect(sampleValue(text, `${P}secrets_expired_total`)).toBe(5);
  });

  it('reads the outbox backlog at every scrape, NaN when it cannot be read', async () => {
    const metrics = newMetrics();
    expect(sampleValue(await metrics.registry.metrics(), `${P}outbox_backlog`)).toBeNaN();

    let backlog = 3;
    metrics.setOutboxBacklogSource(async () => backlog);
    expect(sampleValue(await metrics.registry.metrics(), `${P}outbox_backlog`)).toBe(3);
    backlog = 11;
    expect(sampleValue(await metrics.registry.metrics(), `${P}outbox_backlog`)).toBe(11);

    metrics.setOutboxBacklogSource(async () => {
      throw new Error('database unavailable');
    });
    expect(sampleValue(await metrics.registry.metrics(), `${P}outbox_backlog`)).toBeNaN();
  });

  it('keeps each instance in its own registry, default process metrics prefixed', async () => {
    const first = new Metrics();
    const second = new Metrics();
    first.observeSecrets('issued');

    const text = await first.registry.metrics();
    expect(sampleValue(text, `${P}secrets_issued_total`)).toBe(1);
    expect(sampleValue(await second.registry.metrics(), `${P}secrets_issued_total`)).toBe(0);
    expect(samplesOf(text, `${P}process_cpu_user_seconds_total`)).toHaveLength(1);
    expect(samplesOf(text, `${P}nodejs_heap_size_used_bytes`)).toHaveLength(1);
    const names = text.split('\n').filter((line) => line.startsWith('# TYPE '));
    expect(names.length).toBeGreaterThan(20);
    for (const line of names) expect(line).toMatch(/^# TYPE aws_provisioner_/);
  });
});
