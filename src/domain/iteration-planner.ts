/**
 * The pure planner of one provisioning iteration (issue 4 "plan", spec Part 1 "Provisioning", §D.2–D.3,
 * §D.8): from what the loop observed to every action it should take, with a decision record per worker
 * type. Same input, same plan (the classic strategy draws from `random`, nothing else does).
 *
 * 1. Housekeeping for every worker type (rogue, removed, zombie, stuck), so that what it terminates or
 *    cancels is not counted as capacity and is replaced in the same iteration.
 * 2. Capacity and spend of every defined worker type; the provisioner-wide budget left = its cap minus
 *    what every worker type (defined or not) spends now.
 * 3. Defined worker types are planned one after the other, each drawing on the budget left and the
 *    per-region launch quota the earlier ones left. The order (`planningOrder`): worker types below
 *    their `minCapacity` first (the floor is a promise), then by name (code-unit order), so a tight cap
 *    is shared the same way every time.
 */

import { countFleet, type Fleet } from './count-fleet.js';
import {
  DEFAULT_MAX_INSTANCE_LIFE_MS,
  DEFAULT_STUCK_REQUEST_AFTER_MS,
  type HousekeepingContext,
  housekeepingOnlyPlan,
  planHousekeeping,
  type WorkerTypeHousekeeping,
} from './housekeeping.js';
import { resolveLimits, roundPrice } from './offers.js';
import type { IterationInput, IterationPlan, WorkerTypeFacts, WorkerTypePlan } from './plan-types.js';
import {
  type DefinedWorkerTypeFacts,
  planWorkerType,
  type WorkerTypePlanContext,
} from './worker-type-planner.js';

interface Prepared {
  facts: WorkerTypeFacts;
  housekeeping: WorkerTypeHousekeeping;
  fleet: Fleet;
}

type DefinedPrepared = Prepared & { facts: DefinedWorkerTypeFacts };

function isDefined(entry: Prepared): entry is DefinedPrepared {
  return entry.facts.definition !== undefined;
}

export function planIteration(input: IterationInput): IterationPlan {
  const unavailable = new Map(input.unavailableRegions.map(({ region, error }) => [region, error]));
  const housekeepingContext: HousekeepingContext = {
    now: input.now,
    maxInstanceLifeMs: input.maxInstanceLifeMs ?? DEFAULT_MAX_INSTANCE_LIFE_MS,
    stuckRequestAfterMs: input.stuckRequestAfterMs ?? DEFAULT_STUCK_REQUEST_AFTER_MS,
    unavailableRegions: new Set(unavailable.keys()),
  };
  const prepared = [...input.workerTypes].sort(byName).map((facts): Prepared => {
    const housekeeping = planHousekeeping(facts, housekeepingContext);
    // An undefined worker type's leftovers count 1 unit each, like the summaries do.
    const fleet = countFleet(facts.definition ?? { instanceTypes: [] }, housekeeping.retained);
    return { facts, housekeeping, fleet };
  });
  const spendNow = roundPrice(prepared.reduce((sum, { fleet }) => sum + fleet.hourlySpend, 0));
  const budget =
    input.maxHourlySpend === undefined ? undefined : roundPrice(Math.max(0, input.maxHourlySpend - spendNow));
  const context = planningContext(input, unavailable);
  const order = planningOrder(prepared);
  const { plans, remaining } = planInOrder(order, context, budget);
  const workerTypes = prepared.map(
    ({ facts, housekeeping, fleet }) =>
      plans.get(facts.workerType) ??
      housekeepingOnlyPlan(facts, housekeeping, fleet.capacity, fleet.hourlySpend),
  );
  return {
    now: input.now,
    strategy: input.strategy,
    observation: {
      ageMs: input.now - input.observedAt,
      stale: context.staleObservation !== null,
      unavailableRegions: [...unavailable.keys()].sort(),
    },
    planningOrder: order.map(({ facts }) => facts.workerType),
    workerTypes,
    removalsFinished: prepared.flatMap(({ housekeeping }) =>
      housekeeping.removalFinished === null ? [] : [housekeeping.removalFinished],
    ),
    totals: totals(workerTypes, remaining),
  };
}

/** Each worker type draws on the budget and the region quotas the ones before it left. */
function planInOrder(
  order: readonly DefinedPrepared[],
  context: WorkerTypePlanContext,
  budget: number | undefined,
) {
  let remaining = budget;
  const regionLaunchesUsed: Record<string, number> = { ...context.limits.regionLaunchesUsed };
  const plans = new Map<string, WorkerTypePlan>();
  for (const { facts, housekeeping, fleet } of order) {
    const limits = { ...context.limits, regionLaunchesUsed: { ...regionLaunchesUsed } };
    const left = remaining === undefined ? {} : { remainingHourlyBudget: remaining };
    const plan = planWorkerType(facts, housekeeping, { ...context, limits, ...left }, fleet);
    if (remaining !== undefined) remaining = roundPrice(Math.max(0, remaining - plan.hourlySpend.planned));
    for (const { region } of plan.launches)
      regionLaunchesUsed[region] = (regionLaunchesUsed[region] ?? 0) + 1;
    plans.set(facts.workerType, plan);
  }
  return { plans, remaining };
}

function byName(a: { workerType: string }, b: { workerType: string }): number {
  return a.workerType < b.workerType ? -1 : a.workerType > b.workerType ? 1 : 0;
}

function planningContext(input: IterationInput, unavailable: Map<string, string>): WorkerTypePlanContext {
  const ageMs = input.now - input.observedAt;
  const stale =
    ageMs > input.maxObservationAgeMs
      ? `observation is ${Math.round(ageMs / 1000)} s old, over the ${Math.round(input.maxObservationAgeMs / 1000)} s bound`
      : null;
  return {
    now: input.now,
    strategy: input.strategy,
    ...(input.random === undefined ? {} : { random: input.random }),
    prices: input.prices,
    capacityFailures: input.capacityFailures,
    limits: resolveLimits(input.offerLimits),
    staleObservation: stale,
    observedAt: input.observedAt,
    unavailableRegions: unavailable,
    ...(input.breakerSettings === undefined ? {} : { breakerSettings: input.breakerSettings }),
  };
}

/** Defined worker types, those below their `minCapacity` first, then by name (the input is sorted by name). */
function planningOrder(prepared: readonly Prepared[]): DefinedPrepared[] {
  const defined = prepared.filter(isDefined);
  const belowMin = ({ facts, fleet }: DefinedPrepared) => {
    const { runningCapacity, pendingCapacity, requestedCapacity } = fleet.capacity;
    return runningCapacity + pendingCapacity + requestedCapacity < facts.definition.minCapacity;
  };
  return [...defined.filter(belowMin), ...defined.filter((entry) => !belowMin(entry))];
}

function totals(
  workerTypes: readonly WorkerTypePlan[],
  remaining: number | undefined,
): IterationPlan['totals'] {
  const sum = (value: (plan: WorkerTypePlan) => number) =>
    workerTypes.reduce((total, plan) => total + value(plan), 0);
  return {
    launches: sum((plan) => plan.launches.length),
    plannedCapacity: sum((plan) => plan.launches.reduce((total, launch) => total + launch.capacity, 0)),
    terminations: sum((plan) => plan.terminations.length),
    cancellations: sum((plan) => plan.cancellations.length),
    hourlySpendNow: roundPrice(sum((plan) => plan.hourlySpend.now)),
    plannedHourlySpend: roundPrice(sum((plan) => plan.hourlySpend.planned)),
    remainingHourlyBudget: remaining ?? null,
  };
}
