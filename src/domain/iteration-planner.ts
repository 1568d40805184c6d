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
 *    is shared the same way every time. A region quota that runs out is dealt out round-robin instead
 *    (`planInOrder`), so late names are not starved of launches.
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

/**
 * Each worker type draws on the budget the ones before it left. The region quota is shared the same way
 * unless it runs out: then (default strategy) each region's launches are dealt out round-robin over the
 * worker types that want them, as the original interleaved its launches before truncating (§D.6), and
 * the plan is made again with those shares, so no worker type waits for the names before it.
 */
function planInOrder(
  order: readonly DefinedPrepared[],
  context: WorkerTypePlanContext,
  budget: number | undefined,
) {
  const sequential = planSequentially(order, context, budget, undefined);
  if (context.strategy === 'classic' || !sequential.quotaRanOut) return sequential;
  return planSequentially(order, context, budget, fairShares(order, context, budget));
}

/** Per region, per worker type: the launches reserved for it. What no worker type reserved is spare, for any. */
type Shares = Map<string, Map<string, number>>;

function planSequentially(
  order: readonly DefinedPrepared[],
  context: WorkerTypePlanContext,
  budget: number | undefined,
  shares: Shares | undefined,
) {
  const { maxLaunchesPerRegion: max } = context.limits;
  let remaining = budget;
  let quotaRanOut = false;
  const used: Record<string, number> = { ...context.limits.regionLaunchesUsed };
  // What no share claims, taken first come first served.
  const spare = new Map(
    [...(shares ?? [])].map(([region, byType]) => [region, max - (used[region] ?? 0) - sum(byType.values())]),
  );
  const plans = new Map<string, WorkerTypePlan>();
  for (const { facts, housekeeping, fleet } of order) {
    const regionLaunchesUsed = { ...used };
    for (const [region, byType] of shares ?? []) {
      const available = (byType.get(facts.workerType) ?? 0) + (spare.get(region) ?? 0);
      regionLaunchesUsed[region] = Math.max(0, max - available);
    }
    const limits = { ...context.limits, regionLaunchesUsed };
    const left = remaining === undefined ? {} : { remainingHourlyBudget: remaining };
    const plan = planWorkerType(facts, housekeeping, { ...context, limits, ...left }, fleet);
    if (remaining !== undefined) remaining = roundPrice(Math.max(0, remaining - plan.hourlySpend.planned));
    const launched = launchesByRegion(plan);
    for (const [region, count] of launched) used[region] = (used[region] ?? 0) + count;
    for (const [region, byType] of shares ?? []) {
      // Beyond its share it took from the spare; short of it, it gives the rest back.
      const share = byType.get(facts.workerType) ?? 0;
      spare.set(region, (spare.get(region) ?? 0) + share - (launched.get(region) ?? 0));
    }
    quotaRanOut ||= plan.record.offers?.unmet?.reasons.includes('quota') ?? false;
    plans.set(facts.workerType, plan);
  }
  return { plans, remaining, quotaRanOut };
}

/**
 * What each worker type would launch per region on its own (the whole quota and budget to itself), then
 * each region's quota dealt out one launch at a time to the worker types still wanting one, in order.
 */
function fairShares(
  order: readonly DefinedPrepared[],
  context: WorkerTypePlanContext,
  budget: number | undefined,
): Shares {
  const left = budget === undefined ? {} : { remainingHourlyBudget: budget };
  const wanted = order.map(({ facts, housekeeping, fleet }) => ({
    workerType: facts.workerType,
    byRegion: launchesByRegion(planWorkerType(facts, housekeeping, { ...context, ...left }, fleet)),
  }));
  const shares: Shares = new Map();
  const regions = new Set(wanted.flatMap(({ byRegion }) => [...byRegion.keys()]));
  for (const region of regions) {
    const byType = new Map<string, number>();
    let quota = context.limits.maxLaunchesPerRegion - (context.limits.regionLaunchesUsed[region] ?? 0);
    let dealt = true;
    while (quota > 0 && dealt) {
      dealt = false;
      for (const { workerType, byRegion } of wanted) {
        const share = byType.get(workerType) ?? 0;
        if (quota === 0 || share >= (byRegion.get(region) ?? 0)) continue;
        byType.set(workerType, share + 1);
        quota -= 1;
        dealt = true;
      }
    }
    shares.set(region, byType);
  }
  return shares;
}

function launchesByRegion(plan: WorkerTypePlan): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { region } of plan.launches) counts.set(region, (counts.get(region) ?? 0) + 1);
  return counts;
}

function sum(values: Iterable<number>): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
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
