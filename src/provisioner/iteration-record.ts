import { countsAsCapacity } from '../domain/count-fleet.js';
import type { IterationPlan, WorkerTypeFacts, WorkerTypePlan } from '../domain/plan-types.js';
import { capacityOf } from '../domain/worker-type.js';
import type { Ec2Instance } from '../ec2/ec2-port.js';
import type { IterationSummary, WorkerTypeSnapshot } from '../store/iteration-store.js';
import type { InstanceRow, SpotRequestRow } from '../store/observation-store.js';
import type { LaunchResult } from './launcher.js';
import { type RegionObservation, workerTypeOf } from './observe-fleet.js';

export interface WorkerTypeOutcome {
  plan: WorkerTypePlan;
  launches: LaunchResult[];
  terminations: number;
}

/** One snapshot per worker type and iteration: the figures charts show and the decision record. */
export function snapshotOf(
  outcome: WorkerTypeOutcome,
  facts: WorkerTypeFacts | undefined,
): WorkerTypeSnapshot {
  const { plan } = outcome;
  const definition = facts?.definition ?? { instanceTypes: [] };
  // The instances the plan counts as capacity, less those housekeeping terminates now.
  const leaving = new Set(
    plan.terminations.filter((t) => t.reason !== 'surplus-pending-instance').map((t) => t.instanceId),
  );
  const spotCapacity = (facts?.instances ?? [])
    .filter((i) => i.market === 'spot' && countsAsCapacity(i) && !leaving.has(i.instanceId))
    .reduce((sum, i) => sum + capacityOf(definition, i.instanceType), 0);
  const failed = outcome.launches.filter((l) => l.outcome === 'failed');
  return {
    workerType: plan.workerType,
    pendingTasks: plan.pendingTasks,
    runningCapacity: plan.capacity.runningCapacity,
    pendingCapacity: plan.capacity.pendingCapacity,
    requestedCapacity: plan.capacity.requestedCapacity,
    spendPerHour: plan.hourlySpend.now,
    spotCapacity,
    launches: outcome.launches.filter((l) => l.outcome === 'launched').length,
    launchFailures: failed.length,
    terminations: outcome.terminations,
    blocked: plan.blocked.length > 0 ? plan.blocked.map((b) => b.message).join('; ') : null,
    decision: {
      ...plan.record,
      results: outcome.launches.map((l) => (l.outcome === 'launched' ? { launched: l.instanceId } : l)),
    },
  };
}

/** Observed instances as stored rows, priced from the plan's price observations when known. */
export function instanceRows(
  observation: Extract<RegionObservation, { ok: true }>,
  provisionerId: string,
  priceOf: (instance: Ec2Instance) => number | undefined,
): InstanceRow[] {
  return observation.instances.map((i) => ({
    instanceId: i.instanceId,
    region: i.region,
    workerType: workerTypeOf(provisionerId, i.tags) ?? '(untagged)',
    instanceType: i.instanceType,
    zone: i.zone,
    state: i.state,
    market: i.market,
    imageId: i.imageId,
    launchTime: i.launchTime,
    spotRequestId: i.spotRequestId ?? null,
    clientToken: i.clientToken ?? null,
    stateReason: i.stateReason ? `${i.stateReason.code}: ${i.stateReason.message}` : null,
    hourlyPrice: priceOf(i) ?? null,
  }));
}

export function spotRequestRows(
  observation: Extract<RegionObservation, { ok: true }>,
  provisionerId: string,
): SpotRequestRow[] {
  return observation.spotRequests.map((r) => ({
    spotRequestId: r.spotRequestId,
    region: r.region,
    workerType: workerTypeOf(provisionerId, r.tags) ?? '(untagged)',
    instanceType: r.instanceType,
    zone: r.zone ?? null,
    state: r.state,
    statusCode: r.statusCode,
    createTime: r.createTime,
    instanceId: r.instanceId ?? null,
    maxPrice: r.maxPrice,
  }));
}

/** A short, JSON-able account of the iteration for `loop_iterations.summary` and the logs. */
export function iterationSummary(
  plan: IterationPlan,
  outcomes: readonly WorkerTypeOutcome[],
  errors: readonly string[],
): Required<IterationSummary> {
  const launched = outcomes.flatMap((o) => o.launches).filter((l) => l.outcome === 'launched').length;
  const failed = outcomes.flatMap((o) => o.launches).filter((l) => l.outcome === 'failed').length;
  return {
    workerTypes: plan.workerTypes.length,
    planned: plan.totals.launches,
    launched,
    failed,
    terminations: outcomes.reduce((sum, o) => sum + o.terminations, 0),
    cancellations: plan.totals.cancellations,
    hourlySpend: plan.totals.hourlySpendNow,
    unavailableRegions: plan.observation.unavailableRegions,
    errors: errors.slice(0, 20),
  };
}
