import type { Clock } from '../clock/clock.js';
import type { Config } from '../config/config.js';
import { planIteration } from '../domain/iteration-planner.js';
import type { PriceObservation } from '../domain/offers.js';
import type { IterationPlan, WorkerTypeFacts } from '../domain/plan-types.js';
import type { WorkerType } from '../domain/worker-type.js';
import type { Ec2Port } from '../ec2/ec2-port.js';
import type { Logger } from '../log/logger.js';
import type { QueuePort } from '../queue/queue-port.js';
import type { Database } from '../store/database.js';
import type { FleetView } from '../store/fleet-view.js';
import type { IterationStore, WorkerTypeSnapshot } from '../store/iteration-store.js';
import type { LaunchStore } from '../store/launch-store.js';
import type { ObservationStore } from '../store/observation-store.js';
import type { RemovalStore } from '../store/removal-store.js';
import type { SecretStore } from '../store/secret-store.js';
import type { WorkerTypeStore } from '../store/worker-type-store.js';
import { actOnPlan } from './act-on-plan.js';
import type { CapacityFailures } from './capacity-failures.js';
import type { DemandWatch } from './demand-watch.js';
import { gatherFacts } from './gather-facts.js';
import type { Housekeeper } from './housekeeper.js';
import { iterationSummary, snapshotOf, type WorkerTypeOutcome } from './iteration-record.js';
import type { Launcher, SettledLaunch } from './launcher.js';
import { observeFleet, type RegionObservation } from './observe-fleet.js';
import type { PriceBook } from './price-book.js';
import { readFactSources } from './read-fact-sources.js';
import { settleObservations } from './settle-observations.js';

export interface PassDeps {
  config: Config;
  /** For `reclaim` only: the stores own the queries. */
  db: Pick<Database, 'reclaim'>;
  ec2: Ec2Port;
  queue: QueuePort;
  clock: Clock;
  logger: Logger;
  workerTypes: WorkerTypeStore;
  removals: RemovalStore;
  observations: ObservationStore;
  launches: LaunchStore;
  secrets: SecretStore;
  iterations: IterationStore;
  fleetView: FleetView;
  priceBook: PriceBook;
  capacityFailures: CapacityFailures;
  launcher: Launcher;
  housekeeper: Housekeeper;
  /** The classic strategy's random draw. */
  random: () => number;
  /** Left each successful iteration's plan, and nothing after a failed one. */
  demandWatch?: Pick<DemandWatch, 'remember' | 'forget'>;
  /** Called with each finished iteration's plan and outcomes (metrics, benchmarks). */
  onIteration?: (report: IterationReport) => void;
}

export interface IterationReport {
  plan: IterationPlan;
  outcomes: WorkerTypeOutcome[];
  /** The per worker type figures recorded for this iteration. */
  snapshots: WorkerTypeSnapshot[];
  /** Launches recorded by an earlier iteration whose outcome this one settled (seen, retried, abandoned). */
  settled: SettledLaunch[];
  /** Secrets that expired unredeemed since the previous iteration. */
  secretsExpired: number;
  errors: string[];
  outcome: 'success' | 'partial' | 'failure';
  durationMs: number;
}

interface Observed {
  definitions: WorkerType[];
  observations: RegionObservation[];
  prices: PriceObservation[];
  facts: WorkerTypeFacts[];
  plan: IterationPlan;
  settled: SettledLaunch[];
}

/**
 * One provisioning iteration: observe EC2 and the queue, reconcile with the database, plan (pure), act,
 * record. One worker type's or one region's failure never stops the others.
 */
export class ReconcilePass {
  private iterationsRun = 0;
  private expiryCheckedUntil: number | undefined;

  constructor(private readonly deps: PassDeps) {}

  /** What the next iteration would do and why, without doing it (no writes, no launches). */
  async preview(signal?: AbortSignal): Promise<IterationPlan> {
    return (await this.observe(false, signal)).plan;
  }

  async run(signal?: AbortSignal): Promise<IterationReport> {
    const { deps } = this;
    const started = deps.clock.now();
    deps.demandWatch?.forget();
    const iterationId = await deps.iterations.start(new Date(started));
    const errors: string[] = [];
    try {
      const observed = await this.observe(true, signal);
      signal?.throwIfAborted();
      const { housekeeper, launcher, config } = deps;
      const outcomes = await actOnPlan(
        { housekeeper, launcher, allowedRegions: config.allowedRegions },
        observed,
        errors,
        signal,
      );
      const report = await this.report(iterationId, started, observed, outcomes, errors);
      const { outcome } = report;
      const summary = iterationSummary(observed.plan, outcomes, errors);
      await deps.iterations.finish(
        iterationId,
        outcome,
        errors[0] ?? null,
        summary,
        new Date(deps.clock.now()),
      );
      deps.logger.info({ event: 'loop.iteration', iterationId, outcome, ms: report.durationMs, ...summary });
      deps.demandWatch?.remember(observed.plan);
      deps.onIteration?.(report);
      return report;
    } catch (error) {
      const message = (error as Error).message ?? String(error);
      await deps.iterations.finish(
        iterationId,
        'failure',
        message,
        { errors: [...errors, message] },
        new Date(deps.clock.now()),
      );
      throw error;
    }
  }

  /** Records the iteration's figures and says how it went. */
  private async report(
    iterationId: number,
    started: number,
    observed: Observed,
    outcomes: WorkerTypeOutcome[],
    errors: string[],
  ): Promise<IterationReport> {
    const { deps } = this;
    const snapshots = await this.record(iterationId, observed, outcomes);
    const secretsExpired = await this.countExpiredSecrets();
    const failedRegions = observed.plan.observation.unavailableRegions.length;
    const outcome =
      failedRegions === deps.config.allowedRegions.length
        ? 'failure'
        : failedRegions > 0 || errors.length > 0
          ? 'partial'
          : 'success';
    return {
      plan: observed.plan,
      outcomes,
      settled: observed.settled,
      snapshots,
      secretsExpired,
      errors,
      outcome,
      durationMs: deps.clock.now() - started,
    };
  }

  private async countExpiredSecrets(): Promise<number> {
    const now = this.deps.clock.now();
    const from = this.expiryCheckedUntil ?? now;
    this.expiryCheckedUntil = now;
    return from < now ? this.deps.secrets.expiredUnredeemed(new Date(from), new Date(now)) : 0;
  }

  /**
   * Observes EC2, the queue and the database, and plans. With `reconcile`, also settles the database
   * (retrying launches whose outcome is unknown), unless `signal` aborted (e.g. leadership was lost).
   */
  private async observe(reconcile: boolean, signal?: AbortSignal): Promise<Observed> {
    const { deps } = this;
    const { config } = deps;
    const [definitions, removals] = await Promise.all([deps.workerTypes.all(), deps.removals.pending()]);
    // Taken before describing: a region that answers late (throttled, retried) must not make the
    // others' answers look fresher than they are.
    const observedAt = deps.clock.now();
    const observations = await observeFleet(deps.ec2, config.allowedRegions, config.provisionerId, signal);
    const prices = await this.prices(definitions, observations, signal);
    signal?.throwIfAborted();
    const settled = reconcile
      ? await settleObservations(deps, { observations, prices, definitions, removals })
      : [];
    const now = deps.clock.now();
    const [sources, capacityFailures] = await Promise.all([
      readFactSources(deps, now, { definitions, removals, observations, prices }, signal),
      deps.capacityFailures.active(),
    ]);
    const facts = gatherFacts(sources);
    const plan = planIteration({
      now,
      provisionerId: config.provisionerId,
      strategy: config.strategy,
      random: deps.random,
      maxInstanceLifeMs: config.maxInstanceLifeMs,
      ...(config.maxHourlySpend !== undefined ? { maxHourlySpend: config.maxHourlySpend } : {}),
      observedAt,
      maxObservationAgeMs: 2 * config.iterationIntervalMs,
      unavailableRegions: observations.flatMap((o) => (o.ok ? [] : [{ region: o.region, error: o.error }])),
      prices,
      capacityFailures,
      workerTypes: facts,
    });
    return { definitions, observations, prices, facts, plan, settled };
  }

  /** Price observations for every instance type in use, from regions that answered. */
  private async prices(
    definitions: readonly WorkerType[],
    observations: readonly RegionObservation[],
    signal: AbortSignal | undefined,
  ) {
    const types = new Set(definitions.flatMap((d) => d.instanceTypes.map((t) => t.instanceType)));
    for (const o of observations) if (o.ok) for (const i of o.instances) types.add(i.instanceType);
    const perRegion = await Promise.all(
      observations
        .filter((o) => o.ok)
        .map((o) =>
          this.deps.priceBook.observe(o.region, types, signal ? { signal } : {}).catch((error: Error) => {
            this.deps.logger.warn({ event: 'loop.prices-failed', region: o.region, reason: error.message });
            return [] as PriceObservation[];
          }),
        ),
    );
    return perRegion.flat();
  }

  private async record(iterationId: number, observed: Observed, outcomes: readonly WorkerTypeOutcome[]) {
    const { deps } = this;
    const now = new Date(deps.clock.now());
    const factsOf = new Map(observed.facts.map((f) => [f.workerType, f]));
    const snapshots = outcomes.map((o) => snapshotOf(o, factsOf.get(o.plan.workerType)));
    await deps.iterations.saveSnapshots(iterationId, snapshots, now);
    const judged = outcomes.flatMap((o) =>
      o.plan.breaker
        ? [
            {
              workerType: o.plan.workerType,
              state: o.plan.breaker,
              loaded: factsOf.get(o.plan.workerType)?.breaker,
            },
          ]
        : [],
    );
    await deps.iterations.saveBreakers(judged, now);
    // Pruning is cheap but needless every iteration.
    if (this.iterationsRun++ % 60 === 0) {
      const before = new Date(now.getTime() - deps.config.historyRetentionMs);
      await Promise.all([
        deps.iterations.prune(before),
        deps.launches.prune(before),
        deps.secrets.deleteExpired(before),
      ]);
      await deps.db.reclaim();
    }
    return snapshots;
  }
}
