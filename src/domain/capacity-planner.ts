/**
 * How much capacity a worker type should gain or lose (spec §D.3), and how its resources add up to the
 * running/pending/requested capacity `listWorkerTypeSummaries` reports (§B.1). Pure.
 */
import { capacityOf, type WorkerTypeDefinition } from './worker-type.js';

export type ResourceKind = 'spot-request' | 'instance';

/**
 * `requested`: submitted but not yet seen as an instance (an open spot request, or a launch recorded
 * before the EC2 call that EC2 does not show yet); `pending`: an instance booting; `running`: booted.
 */
export type ResourceState = 'requested' | 'pending' | 'running';

export interface CapacityChangeInput {
  /** Capacity units of running instances. */
  running: number;
  /** Capacity units not yet running: pending instances and open requests. */
  pending: number;
  pendingTasks: number;
  scalingRatio: number;
  minCapacity: number;
  maxCapacity: number;
}

/**
 * §D.3 exactly (`determineCapacityChange`): positive = capacity to add, negative = surplus. The desired
 * pending capacity uses `Math.round` (halves round toward +∞); the max test is `>=` and wins over the min
 * test when `maxCapacity < minCapacity`.
 */
export function capacityChange(input: CapacityChangeInput): number {
  const { running, pending, pendingTasks, scalingRatio, minCapacity, maxCapacity } = input;
  const desiredPending = Math.round(scalingRatio * running);
  const change = pendingTasks - pending - desiredPending;
  const after = change + pending + running;
  if (after >= maxCapacity) return maxCapacity - running - pending;
  if (after < minCapacity) return minCapacity - running - pending;
  return change;
}

/** One resource as the summary needs it: its capacity comes from its instance type. */
export interface SummarisedResource {
  kind: ResourceKind;
  state: ResourceState;
  instanceType: string;
}

export interface CapacitySummary {
  runningCapacity: number;
  /** Instances not yet running, including recorded launches EC2 does not show yet. */
  pendingCapacity: number;
  /** Spot requests not yet fulfilled. */
  requestedCapacity: number;
}

/**
 * Adds up capacity units the way `listWorkerTypeSummaries` reports them. An instance type no longer in
 * the definition counts 1 unit per resource (§B.1), so a changed definition never hides what still runs.
 * A spot request counts as requested whatever its state: once fulfilled it is reported as its instance.
 */
export function summariseCapacity(
  definition: Pick<WorkerTypeDefinition, 'instanceTypes'>,
  resources: readonly SummarisedResource[],
): CapacitySummary {
  const summary: CapacitySummary = { runningCapacity: 0, pendingCapacity: 0, requestedCapacity: 0 };
  for (const resource of resources) {
    const capacity = capacityOf(definition, resource.instanceType);
    if (resource.kind === 'spot-request') summary.requestedCapacity += capacity;
    else if (resource.state === 'running') summary.runningCapacity += capacity;
    else summary.pendingCapacity += capacity;
  }
  return summary;
}
