import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Ec2CallEvent } from '../ec2/ec2-gateway.js';
import type { Ec2ErrorKind, Market } from '../ec2/ec2-port.js';

/** Every series this service exports starts with this, default process metrics included. */
export const METRIC_PREFIX = 'aws_provisioner_';

export type IterationOutcome = 'success' | 'partial' | 'failure';
export type SecretEvent = 'issued' | 'redeemed' | 'expired';

/** Where a launch went; every field has a bounded set of values (never an instance or request id). */
export interface LaunchLabels {
  workerType: string;
  region: string;
  instanceType: string;
  market: Market;
}

/** One worker type's figures after an iteration, in capacity units unless named otherwise. */
export interface WorkerTypeFigures {
  workerType: string;
  runningCapacity: number;
  pendingCapacity: number;
  requestedCapacity: number;
  /** Null when the queue could not tell: the series is dropped rather than left showing an old figure. */
  pendingTasks: number | null;
  spendPerHourUsd: number;
  /** The share (0 to 1) of the worker type's capacity that runs on spot. */
  spotShare: number;
}

export interface MetricsOptions {
  /** Process metrics (CPU, memory, event loop, GC); off in tests that build many instances. */
  defaultMetrics?: boolean;
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const EC2_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const ITERATION_BUCKETS = [0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600];
const WORKER_TYPE = ['worker_type'] as const;
const LAUNCH = ['worker_type', 'region', 'instance_type', 'market'] as const;

/**
 * The service's Prometheus metrics, in a registry of their own (never prom-client's global one, so tests
 * and several app instances in one process do not collide). Callers record through the `observe*` and
 * `set*` methods; the exposition is `registry.metrics()`, served by `metricsPlugin`.
 */
export class Metrics {
  readonly registry = new Registry();

  private readonly httpRequests = this.counter('http_requests_total', 'HTTP requests answered.', [
    'method',
    'route',
    'status_code',
  ]);
  private readonly httpDuration = new Histogram({
    name: `${METRIC_PREFIX}http_request_duration_seconds`,
    help: 'Time to answer an HTTP request, by route template.',
    labelNames: ['method', 'route'],
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  private readonly iterations = this.counter('iterations_total', 'Provisioning iterations finished.', [
    'outcome',
  ]);
  private readonly earlyIterations = this.counter(
    'early_iterations_total',
    "Iterations started before the interval because a worker type's demand outgrew the last one.",
    WORKER_TYPE,
  );
  private readonly iterationDuration = new Histogram({
    name: `${METRIC_PREFIX}iteration_duration_seconds`,
    help: 'Duration of a provisioning iteration.',
    buckets: ITERATION_BUCKETS,
    registers: [this.registry],
  });
  private readonly lastIteration = this.gauge(
    'last_iteration_timestamp_seconds',
    'When the last provisioning iteration finished (epoch seconds, service clock).',
  );

  private readonly ec2Calls = this.counter('ec2_calls_total', 'EC2 API call attempts, by outcome.', [
    'region',
    'action',
    'outcome',
  ]);
  private readonly ec2Throttles = this.counter('ec2_throttles_total', 'EC2 API attempts throttled.', [
    'region',
    'action',
  ]);
  private readonly ec2Retries = this.counter('ec2_retries_total', 'EC2 API attempts that were retries.', [
    'region',
    'action',
  ]);
  private readonly ec2Duration = new Histogram({
    name: `${METRIC_PREFIX}ec2_call_duration_seconds`,
    help: 'Latency of one EC2 API attempt.',
    labelNames: ['region', 'action'],
    buckets: EC2_BUCKETS,
    registers: [this.registry],
  });

  private readonly launches = this.counter('launches_total', 'Instances or spot requests launched.', LAUNCH);
  private readonly launchFailures = this.counter('launch_failures_total', 'Launch attempts EC2 refused.', [
    ...LAUNCH,
    'kind',
  ]);

  private readonly workerTypeGauges = {
    runningCapacity: this.gauge(
      'worker_type_running_capacity',
      'Capacity of running instances.',
      WORKER_TYPE,
    ),
    pendingCapacity: this.gauge('worker_type_pending_capacity', 'Capacity not yet running.', WORKER_TYPE),
    requestedCapacity: this.gauge(
      'worker_type_requested_capacity',
      'Capacity in open spot requests.',
      WORKER_TYPE,
    ),
    pendingTasks: this.gauge('worker_type_pending_tasks', 'Tasks waiting in the queue.', WORKER_TYPE),
    spendPerHourUsd: this.gauge(
      'worker_type_spend_usd_per_hour',
      'What the capacity costs an hour.',
      WORKER_TYPE,
    ),
    spotShare: this.gauge('worker_type_spot_ratio', 'Share of the capacity on spot (0 to 1).', WORKER_TYPE),
  } satisfies Record<keyof Omit<WorkerTypeFigures, 'workerType'>, Gauge<string>>;

  private readonly secrets: Record<SecretEvent, Counter> = {
    issued: this.counter('secrets_issued_total', 'Secrets created for new instances.'),
    redeemed: this.counter('secrets_redeemed_total', 'Secrets fetched by the instance they were for.'),
    expired: this.counter('secrets_expired_total', 'Secrets discarded unredeemed after they expired.'),
  };

  private outboxBacklogSource: (() => Promise<number>) | undefined;
  private readonly outboxBacklog: Gauge = new Gauge({
    name: `${METRIC_PREFIX}outbox_backlog`,
    help: 'Pulse messages in the outbox not yet confirmed by the broker (NaN when unknown).',
    registers: [this.registry],
    collect: () => this.collectOutboxBacklog(),
  });

  constructor(options: MetricsOptions = {}) {
    if (options.defaultMetrics ?? true) {
      collectDefaultMetrics({ register: this.registry, prefix: METRIC_PREFIX });
    }
  }

  /** `route` is the route template (`/x/:id`), never the raw URL: URLs carry tokens and are unbounded. */
  observeHttp(method: string, route: string, status: number, seconds: number): void {
    this.httpRequests.inc({ method, route, status_code: String(status) });
    this.httpDuration.observe({ method, route }, seconds);
  }

  /** `finishedAt` is epoch ms on the service's clock (virtual or scaled in the sandbox). */
  observeIteration(outcome: IterationOutcome, seconds: number, finishedAt: number): void {
    this.iterations.inc({ outcome });
    this.iterationDuration.observe(seconds);
    this.lastIteration.set(finishedAt / 1000);
  }

  /** The worker type whose grown demand started the iteration early. */
  observeEarlyIteration(workerType: string): void {
    this.earlyIterations.inc({ worker_type: workerType });
  }

  /** Fits `Ec2GatewayOptions.onCall`: one call per attempt. Bound, so it can be passed as is. */
  readonly observeEc2Call = (event: Ec2CallEvent): void => {
    const { region, action } = event;
    this.ec2Calls.inc({ region, action, outcome: event.outcome });
    if (event.outcome === 'throttled') this.ec2Throttles.inc({ region, action });
    if (event.attempt > 1) this.ec2Retries.inc({ region, action });
    this.ec2Duration.observe({ region, action }, event.durationMs / 1000);
  };

  /** One launch (on-demand instance or spot request): `ok`, or the kind of error EC2 refused it with. */
  observeLaunch(launch: LaunchLabels, outcome: 'ok' | Ec2ErrorKind): void {
    const labels = {
      worker_type: launch.workerType,
      region: launch.region,
      instance_type: launch.instanceType,
      market: launch.market,
    };
    if (outcome === 'ok') this.launches.inc(labels);
    else this.launchFailures.inc({ ...labels, kind: outcome });
  }

  /**
   * Replaces every per-worker-type gauge with these figures. Worker types absent from the list lose their
   * series, so a removed worker type does not linger with its last figures.
   */
  setWorkerTypeFigures(figures: readonly WorkerTypeFigures[]): void {
    const gauges = this.workerTypeGauges;
    for (const gauge of Object.values(gauges)) gauge.reset();
    for (const figure of figures) {
      const labels = { worker_type: figure.workerType };
      gauges.runningCapacity.set(labels, figure.runningCapacity);
      gauges.pendingCapacity.set(labels, figure.pendingCapacity);
      gauges.requestedCapacity.set(labels, figure.requestedCapacity);
      if (figure.pendingTasks !== null) gauges.pendingTasks.set(labels, figure.pendingTasks);
      gauges.spendPerHourUsd.set(labels, figure.spendPerHourUsd);
      gauges.spotShare.set(labels, figure.spotShare);
    }
  }

  observeSecrets(event: SecretEvent, count = 1): void {
    if (count > 0) this.secrets[event].inc(count);
  }

  /** Read at every scrape (`OutboxPublisher.backlog`), so the figure is never older than the scrape. */
  setOutboxBacklogSource(source: () => Promise<number>): void {
    this.outboxBacklogSource = source;
  }

  private async collectOutboxBacklog(): Promise<void> {
    // A failing source must not fail the whole scrape: NaN says "unknown" without inventing a figure.
    const backlog = (await this.outboxBacklogSource?.().catch(() => undefined)) ?? Number.NaN;
    this.outboxBacklog.set(backlog);
  }

  private counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return new Counter({ name: METRIC_PREFIX + name, help, labelNames, registers: [this.registry] });
  }

  private gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return new Gauge({ name: METRIC_PREFIX + name, help, labelNames, registers: [this.registry] });
  }
}
