import type { Market } from '../domain/offers.js';
import type { IterationReport } from '../provisioner/reconcile-pass.js';
import type { Metrics } from './metrics.js';

/** What one finished iteration tells the metrics: its outcome, every launch, and each worker type's figures. */
export function recordIterationMetrics(
  metrics: Metrics,
  report: IterationReport,
  finishedAt: number,
  options: { workerTypeFigures: boolean } = { workerTypeFigures: true },
): void {
  metrics.observeIteration(report.outcome, report.durationMs / 1000, finishedAt);
  let issued = 0;
  for (const { plan, launches } of report.outcomes) {
    plan.launches.forEach((planned, index) => {
      const result = launches[index];
      if (!result) return;
      // Every recorded attempt made its secret first; only settled ones count as launches.
      if (result.outcome === 'deferred' && result.notRecorded === true) return;
      issued += 1;
      if (result.outcome === 'deferred') return;
      const labels = {
        workerType: plan.workerType,
        region: planned.region,
        instanceType: planned.instanceType,
        market: planned.market as Market,
      };
      metrics.observeLaunch(labels, result.outcome === 'launched' ? 'ok' : result.kind);
    });
  }
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
