import type { Market } from '../domain/offers.js';
import type { LaunchResult } from '../provisioner/launcher.js';
import type { IterationReport } from '../provisioner/reconcile-pass.js';
import type { LaunchLabels, Metrics } from './metrics.js';

/** What one finished iteration tells the metrics: its outcome, every launch, and each worker type's figures. */
export function recordIterationMetrics(
  metrics: Metrics,
  report: IterationReport,
  finishedAt: number,
  options: { workerTypeFigures: boolean } = { workerTypeFigures: true },
): void {
  metrics.observeIteration(report.outcome, report.durationMs / 1000, finishedAt);
  const issued = observeLaunches(metrics, report);
  if (issued > 0) metrics.observeSecrets('issued', issued);
  if (report.secretsExpired > 0) metrics.observeSecrets('expired', report.secretsExpired);
  if (!options.workerTypeFigures) return;
  metrics.setWorkerTypeFigures(
    report.snapshots.map((s) => {
      const live = s.runningCapacity + s.pendingCapacity;
      return {
        workerType: s.workerType,
        runningCapacity: s.runningCapacity,
        pendingCapacity: s.pendingCapacity,
        requestedCapacity: s.requestedCapacity,
        pendingTasks: s.pendingTasks,
        spendPerHourUsd: s.spendPerHour,
        spotShare: live > 0 ? s.spotCapacity / live : 0,
      };
    }),
  );
}

/** Counts every launch this iteration settled; answers how many secrets it issued. */
function observeLaunches(metrics: Metrics, report: IterationReport): number {
  const observe = (launch: LaunchLabels, result: LaunchResult) => {
    if (result.outcome !== 'deferred')
      metrics.observeLaunch(launch, result.outcome === 'launched' ? 'ok' : result.kind);
  };
  let issued = 0;
  for (const { plan, launches } of report.outcomes) {
    plan.launches.forEach((planned, index) => {
      const result = launches[index];
      // Every recorded attempt made its secret first; a refused one recorded nothing.
      if (!result || (result.outcome === 'deferred' && result.notRecorded === true)) return;
      issued += 1;
      observe({ ...labelsOf(planned), workerType: plan.workerType }, result);
    });
  }
  // Recorded by an earlier iteration (its secret counted then) that deferred them.
  for (const { launch, result } of report.settled)
    observe({ ...labelsOf(launch), workerType: launch.workerType }, result);
  return issued;
}

function labelsOf(launch: { region: string; instanceType: string; market: string }) {
  return { region: launch.region, instanceType: launch.instanceType, market: launch.market as Market };
}
