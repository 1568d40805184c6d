import type { IterationReport } from '../../src/provisioner/reconcile-pass.js';

type Counts = Record<string, number>;

function bump(counts: Counts, key: string, by = 1): void {
  counts[key] = (counts[key] ?? 0) + by;
}

/**
 * What the loop decided over a whole replay, from its iteration reports (plan decision records and
 * outcomes): enough to tell why a strategy missed a target without storing every record.
 */
export class DecisionDigest {
  private iterations = 0;
  private readonly outcomes: Counts = {};
  private readonly launchResults: Counts = {};
  private readonly launchesByType: Counts = {};
  private readonly launchesByRegion: Counts = {};
  private readonly unmetReasons: Counts = {};
  private readonly guardRails: Counts = {};
  private readonly terminations: Counts = {};
  private readonly errorSamples = new Set<string>();
  private errors = 0;
  private plannedLaunches = 0;
  private iterationsWithLaunches = 0;
  private maxLaunches = 0;
  private pricePerUtilitySum = 0;
  private unmetCapacity = 0;
  private scaleDownIterations = 0;

  add(report: IterationReport): void {
    this.iterations++;
    bump(this.outcomes, report.outcome);
    this.errors += report.errors.length;
    for (const error of report.errors)
      if (this.errorSamples.size < 5) this.errorSamples.add(error.slice(0, 200));
    for (const outcome of report.outcomes) this.addOutcome(outcome);
  }

  private addOutcome(outcome: IterationReport['outcomes'][number]): void {
    const { plan } = outcome;
    const launches = plan.launches.length;
    this.plannedLaunches += launches;
    if (launches > 0) this.iterationsWithLaunches++;
    this.maxLaunches = Math.max(this.maxLaunches, launches);
    for (const launch of plan.launches) {
      bump(this.launchesByType, `${launch.instanceType} ${launch.market}`);
      bump(this.launchesByRegion, launch.region);
      this.pricePerUtilitySum += launch.pricePerUtility;
    }
    for (const result of outcome.launches) {
      bump(this.launchResults, result.outcome === 'failed' ? `failed:${result.kind}` : result.outcome);
    }
    const unmet = plan.record.offers?.unmet;
    if (unmet) {
      this.unmetCapacity += unmet.capacity;
      for (const reason of unmet.reasons) bump(this.unmetReasons, reason);
    }
    for (const rail of plan.blocked) bump(this.guardRails, rail.rail);
    for (const termination of plan.terminations) bump(this.terminations, termination.reason);
    if ((plan.change ?? 0) < 0) this.scaleDownIterations++;
  }

  summary() {
    return {
      iterations: this.iterations,
      outcomes: this.outcomes,
      plannedLaunches: this.plannedLaunches,
      iterationsWithLaunches: this.iterationsWithLaunches,
      maxLaunchesPerIteration: this.maxLaunches,
      meanPlannedPricePerUtility:
        this.plannedLaunches === 0 ? 0 : this.pricePerUtilitySum / this.plannedLaunches,
      launchResults: this.launchResults,
      launchesByType: this.launchesByType,
      launchesByRegion: this.launchesByRegion,
      /** Iterations in which each reason left capacity unmet, and the capacity units left unmet in all. */
      unmetReasons: this.unmetReasons,
      unmetCapacity: this.unmetCapacity,
      /** Iterations in which each guard rail blocked or limited the worker type. */
      guardRails: this.guardRails,
      terminations: this.terminations,
      scaleDownIterations: this.scaleDownIterations,
      errors: this.errors,
      errorSamples: [...this.errorSamples],
    };
  }
}
