/**
 * Between two iterations: has a worker type's demand grown past what the last iteration covered? If so,
 * the loop starts the next iteration early instead of letting new tasks wait out the interval. Pure.
 */
import { capacityChange } from './capacity-planner.js';
import type { IterationPlan, WorkerTypePlan } from './plan-types.js';

/** What the last iteration left a worker type with, as §D.3 counts it. */
export interface DemandBaseline {
  workerType: string;
  /** The pending tasks the last iteration planned for. */
  pendingTasks: number;
  running: number;
  /** Pending and requested capacity after the iteration's launches and scale-down. */
  pending: number;
  scalingRatio: number;
  minCapacity: number;
  maxCapacity: number;
}

/**
 * The baselines of an iteration's plan: worker types whose demand was known and that got all the capacity
 * they asked for. Where a guard rail (breaker, money cap, stale state) blocked or limited scale-up, or no
 * offer was left, an early iteration could not do better, so those wait for the regular interval. Planned
 * launches count as covering even if one fails: a failure is retried at the regular interval too.
 */
export function demandBaselines(plan: IterationPlan): DemandBaseline[] {
  const baselines: DemandBaseline[] = [];
  for (const workerTypePlan of plan.workerTypes) {
    const baseline = baselineOf(workerTypePlan);
    if (baseline) baselines.push(baseline);
  }
  return baselines;
}

function baselineOf(plan: WorkerTypePlan): DemandBaseline | undefined {
  const { inputs, scaleDown } = plan.record;
  if (!plan.defined || plan.pendingTasks === null) return undefined;
  if (inputs.scalingRatio === null || inputs.minCapacity === null || inputs.maxCapacity === null)
    return undefined;
  const held = plan.blocked.some(
    (rail) => rail.effects.includes('blocks-scale-up') || rail.effects.includes('limits-scale-up'),
  );
  if (held || plan.record.offers?.unmet) return undefined;
  const launched = plan.launches.reduce((sum, launch) => sum + launch.capacity, 0);
  const removed = scaleDown?.removed.reduce((sum, resource) => sum + resource.capacity, 0) ?? 0;
  return {
    workerType: plan.workerType,
    pendingTasks: plan.pendingTasks,
    running: plan.capacity.runningCapacity,
    pending: plan.capacity.pendingCapacity + plan.capacity.requestedCapacity + launched - removed,
    scalingRatio: inputs.scalingRatio,
    minCapacity: inputs.minCapacity,
    maxCapacity: inputs.maxCapacity,
  };
}

/**
 * True when more tasks are pending than when the baseline was taken and §D.3 would now add capacity to
 * what the baseline already has. Demand that did not grow never triggers: capacity the last iteration could
 * not get (no offer, a quota) is retried at the regular interval, not every check.
 */
export function demandOutgrew(baseline: DemandBaseline, pendingTasks: number): boolean {
  if (pendingTasks <= baseline.pendingTasks) return false;
  const change = capacityChange({
    running: baseline.running,
    pending: baseline.pending,
    pendingTasks,
    scalingRatio: baseline.scalingRatio,
    minCapacity: baseline.minCapacity,
    maxCapacity: baseline.maxCapacity,
  });
  return change > 0;
}
