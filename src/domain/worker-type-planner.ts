/**
 * Every decision about one defined worker type in one iteration, after housekeeping: its capacity, the
 * change §D.3 asks for, the guard rails, and then either the launches (through the configured offer
 * strategy) or the scale-down. Pure; the iteration planner threads the shared budget and quotas through.
 *
 * Guard rails, each leaving its reason in the decision record:
 * - demand unknown (the queue could not be asked): no scale-up and no scale-down;
 * - stale state (the observation is older than the bound, or one of the worker type's regions failed to
 *   describe): no scale-up and no scale-down, since its capacity figures cannot be trusted either way;
 * - circuit breaker: open = no launches; half-open = at most its trial allowance (scale-down goes on);
 * - money caps and the per-region launch quota: applied by the offer selectors, reported from their plan.
 */
import { capacityChange } from './capacity-planner.js';
import { type BreakerDecision, type BreakerSettings, evaluateBreaker } from './circuit-breaker.js';
import { selectOffersClassic } from './classic-offer-selection.js';
import { countFleet, type Fleet } from './count-fleet.js';
import { housekeepingOnlyPlan, type WorkerTypeHousekeeping } from './housekeeping.js';
import { limitLaunches, offerRails } from './offer-guard-rails.js';
import { selectOffers } from './offer-selection.js';
import {
  type CapacityFailure,
  type OfferLimits,
  type OfferPlan,
  type PriceObservation,
  planTotals,
} from './offers.js';
import type {
  CapacityFigures,
  GuardRailEffect,
  GuardRailOutcome,
  ScaleDownRecord,
  Strategy,
  WorkerTypeFacts,
  WorkerTypePlan,
  WorkerTypeResources,
} from './plan-types.js';
import { planScaleDown, type ScaleDownPlan } from './scale-down.js';
import { definitionOf, type WorkerType } from './worker-type.js';

export interface WorkerTypePlanContext {
  now: number;
  strategy: Strategy;
  random?: () => number;
  prices: readonly PriceObservation[];
  capacityFailures: readonly CapacityFailure[];
  /** With `regionLaunchesUsed` holding what the worker types planned before this one used. */
  limits: OfferLimits;
  /** What the provisioner-wide cap still allows, USD per hour; absent = no cap. */
  remainingHourlyBudget?: number;
  /** Why the whole observation is too old to act on, or null. */
  staleObservation: string | null;
  /** Epoch ms of the observation (taken before describing): scale-down weighs how old it was at demand. */
  observedAt?: number;
  /** Region → the error its describe calls failed with this iteration. */
  unavailableRegions: ReadonlyMap<string, string>;
  breakerSettings?: Partial<BreakerSettings>;
}

export type DefinedWorkerTypeFacts = WorkerTypeFacts & { definition: WorkerType };

/** What was decided before the plan is assembled. */
interface Decisions {
  demand: { pendingTasks: number | null; error: string | null };
  change: number | null;
  breaker: BreakerDecision;
  guardRails: GuardRailOutcome[];
  offers: OfferPlan | null;
  scaleDown: ScaleDownPlan | null;
}

/** `fleet` defaults to counting housekeeping's retained resources (the iteration planner passes it in). */
export function planWorkerType(
  facts: DefinedWorkerTypeFacts,
  housekeeping: WorkerTypeHousekeeping,
  context: WorkerTypePlanContext,
  fleet: Fleet = countFleet(facts.definition, housekeeping.retained),
): WorkerTypePlan {
  const { definition } = facts;
  const demand = readDemand(facts.pendingTasks);
  const change =
    demand.pendingTasks === null ? null : changeFor(definition, fleet.capacity, demand.pendingTasks);
  const breaker = breakerFor(facts, housekeeping.retained, context);
  const guardRails = preconditionRails(facts, demand.error, context);
  if (breaker.message !== null) {
    const effect: GuardRailEffect = breaker.launchAllowance === 0 ? 'blocks-scale-up' : 'limits-scale-up';
    guardRails.push({ rail: 'circuit-breaker', effects: [effect], message: breaker.message });
  }
  const blocks = (effect: GuardRailEffect) => guardRails.some((rail) => rail.effects.includes(effect));
  // An open breaker still gets its offers ranked, each cut one marked `breaker`: the record says what it held back.
  const blocksOffers = guardRails.some(
    (rail) => rail.rail !== 'circuit-breaker' && rail.effects.includes('blocks-scale-up'),
  );
  const offers =
    change !== null && change > 0 && !blocksOffers ? scaleUp(facts, change, fleet, breaker, context) : null;
  // Under an open breaker the offers are for the record only: no money cap or quota limited anything.
  if (offers !== null && breaker.launchAllowance !== 0) guardRails.push(...offerRails(offers));
  const scaleDown =
    change !== null && change < 0 && !blocks('blocks-scale-down')
      ? planScaleDown({
          resources: fleet.resources,
          change,
          minCapacity: definition.minCapacity,
          ...observationLag(facts, context),
        })
      : null;
  return assemble(facts, housekeeping, fleet, context, {
    demand,
    change,
    breaker,
    guardRails,
    offers,
    scaleDown,
  });
}

/** How old the instances' states were when this worker type's demand was read. */
function observationLag(facts: DefinedWorkerTypeFacts, context: WorkerTypePlanContext) {
  if (context.observedAt === undefined) return {};
  return { observationLagMs: (facts.demandReadAt ?? context.now) - context.observedAt };
}

function assemble(
  facts: DefinedWorkerTypeFacts,
  housekeeping: WorkerTypeHousekeeping,
  fleet: Fleet,
  context: WorkerTypePlanContext,
  decided: Decisions,
): WorkerTypePlan {
  const { definition } = facts;
  const { demand, change, offers, scaleDown } = decided;
  const plan = housekeepingOnlyPlan(facts, housekeeping, fleet.capacity, fleet.hourlySpend);
  for (const removal of scaleDown?.remove ?? []) {
    const region = fleet.regionOf.get(removal.id) ?? '';
    if (removal.kind === 'instance') {
      plan.terminations.push({ region, instanceId: removal.id, reason: 'surplus-pending-instance' });
    } else plan.cancellations.push({ region, spotRequestId: removal.id, reason: 'surplus-spot-request' });
  }
  const guardRails = [...plan.record.guardRails, ...decided.guardRails];
  const launches = offers?.launches ?? [];
  return {
    ...plan,
    pendingTasks: demand.pendingTasks,
    change,
    hourlySpend: { now: fleet.hourlySpend, planned: planTotals(launches).plannedHourlySpend },
    launches,
    breaker: decided.breaker.state,
    blocked: guardRails.filter((rail) => rail.effects.length > 0),
    record: {
      ...plan.record,
      inputs: {
        ...plan.record.inputs,
        pendingTasks: demand.pendingTasks,
        demandError: demand.error,
        minCapacity: definition.minCapacity,
        maxCapacity: definition.maxCapacity,
        scalingRatio: definition.scalingRatio,
        maxHourlySpend: definition.maxHourlySpend ?? null,
        remainingHourlyBudget: context.remainingHourlyBudget ?? null,
      },
      change,
      offers: offers && {
        strategy: offers.strategy,
        requested: offers.change,
        candidates: offers.candidates,
        unmet: offers.unmet,
      },
      scaleDown: scaleDown && scaleDownRecord(scaleDown, fleet),
      guardRails,
    },
  };
}

function readDemand(pendingTasks: WorkerTypeFacts['pendingTasks']) {
  if (typeof pendingTasks === 'number') return { pendingTasks, error: null };
  return { pendingTasks: null, error: pendingTasks?.error ?? 'pending tasks were not read' };
}

function changeFor(definition: WorkerType, capacity: CapacityFigures, pendingTasks: number): number {
  return capacityChange({
    running: capacity.runningCapacity,
    pending: capacity.pendingCapacity + capacity.requestedCapacity,
    pendingTasks,
    scalingRatio: definition.scalingRatio,
    minCapacity: definition.minCapacity,
    maxCapacity: definition.maxCapacity,
  });
}

/** The breaker judges only evidence of the current definition (a re-created one starts afresh). */
function breakerFor(
  facts: DefinedWorkerTypeFacts,
  retained: WorkerTypeResources,
  context: WorkerTypePlanContext,
): BreakerDecision {
  const since = facts.removal?.requestedAt ?? Number.NEGATIVE_INFINITY;
  return evaluateBreaker(
    {
      now: context.now,
      ...(facts.breaker === undefined ? {} : { previous: facts.breaker }),
      outcomes: (facts.recentLaunches ?? []).filter((outcome) => outcome.at >= since),
      instances: retained.instances,
      inFlightLaunches: retained.launches,
    },
    context.breakerSettings,
  );
}

/** Demand and observation rails: without them the figures cannot be trusted in either direction. */
function preconditionRails(
  facts: DefinedWorkerTypeFacts,
  demandError: string | null,
  context: WorkerTypePlanContext,
): GuardRailOutcome[] {
  const both: GuardRailEffect[] = ['blocks-scale-up', 'blocks-scale-down'];
  const rails: GuardRailOutcome[] = [];
  if (demandError !== null) {
    const message = `pending tasks unknown: ${demandError}`;
    rails.push({ rail: 'demand-unknown', effects: [...both], message });
  }
  if (context.staleObservation !== null) {
    rails.push({ rail: 'stale-state', effects: [...both], message: context.staleObservation });
  }
  const regions = new Set([
    ...facts.definition.regions.map((r) => r.region),
    ...facts.instances.map((i) => i.region),
    ...facts.spotRequests.map((r) => r.region),
    ...facts.launches.map((l) => l.region),
  ]);
  const missing = [...regions].filter((region) => context.unavailableRegions.has(region)).sort();
  if (missing.length > 0) {
    const detail = missing
      .map((region) => `${region} (${context.unavailableRegions.get(region)})`)
      .join(', ');
    rails.push({ rail: 'stale-state', effects: [...both], message: `observation incomplete: ${detail}` });
  }
  return rails;
}

function scaleUp(
  facts: DefinedWorkerTypeFacts,
  change: number,
  fleet: Fleet,
  breaker: BreakerDecision,
  context: WorkerTypePlanContext,
): OfferPlan {
  const input = {
    workerType: facts.workerType,
    definition: definitionOf(facts.definition),
    change,
    prices: context.prices,
    capacityFailures: context.capacityFailures,
    existingCapacity: fleet.pools,
    currentHourlySpend: fleet.hourlySpend,
    ...(context.remainingHourlyBudget === undefined
      ? {}
      : { remainingHourlyBudget: context.remainingHourlyBudget }),
    now: context.now,
    limits: context.limits,
  };
  let plan: OfferPlan;
  if (context.strategy === 'classic') {
    if (context.random === undefined) throw new TypeError('the classic strategy needs a random source');
    // An open breaker's record must not use up draws the worker types planned after it would get.
    plan = selectOffersClassic(input, breaker.launchAllowance === 0 ? () => 0.5 : context.random);
  } else plan = selectOffers(input);
  const allowance = breaker.launchAllowance;
  return allowance === null ? plan : limitLaunches(plan, allowance, breaker.message);
}

function scaleDownRecord(plan: ScaleDownPlan, fleet: Fleet): ScaleDownRecord {
  const inFlight = new Set(fleet.resources.filter((r) => r.busy === true).map((r) => r.id));
  const kept = new Map<string, { count: number; capacity: number }>();
  for (const keep of plan.keep) {
    const reason = inFlight.has(keep.id) ? 'in-flight-launch' : keep.reason;
    const entry = kept.get(reason) ?? { count: 0, capacity: 0 };
    kept.set(reason, { count: entry.count + 1, capacity: entry.capacity + keep.capacity });
  }
  return {
    surplus: plan.surplus,
    removed: plan.remove.map(({ id, capacity, reason }) => ({ id, capacity, reason })),
    kept: [...kept.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([reason, entry]) => ({ reason: reason as ScaleDownRecord['kept'][number]['reason'], ...entry })),
    remainingSurplus: plan.remainingSurplus,
  };
}
