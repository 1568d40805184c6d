/**
 * Guard rails as they apply to an offer plan: a circuit breaker's launch allowance cuts it, and the money
 * caps and region quota the selectors applied become guard-rail outcomes of the decision record.
 */
import { type Market, type OfferPlan, type Pool, planTotals, poolKey, unmetCapacity } from './offers.js';
import type { GuardRailOutcome } from './plan-types.js';

/**
 * Keeps the first `allowance` launches (the selectors order them best first) and redoes the sums; the
 * candidates that lost launches show the breaker as the reason.
 */
export function limitLaunches(plan: OfferPlan, allowance: number, why: string | null): OfferPlan {
  if (plan.launches.length <= allowance) return plan;
  const launches = plan.launches.slice(0, allowance);
  const totals = planTotals(launches);
  const key = (pool: Pool & { market: Market }) => poolKey(pool, pool.market);
  const detail =
    allowance === 0
      ? `circuit breaker ${why ?? 'open'}`
      : `circuit breaker trial allows ${allowance} launch(es)`;
  const candidates = plan.candidates.map((candidate) => {
    const kept = launches.filter((launch) => key(launch) === key(candidate)).length;
    if (kept === candidate.launches) return candidate;
    return { ...candidate, launches: kept, excluded: 'breaker' as const, detail };
  });
  const reasons = candidates.flatMap(({ excluded }) => (excluded === null ? [] : [excluded]));
  const unmet = unmetCapacity(plan.change, totals.plannedCapacity, reasons);
  return { ...plan, launches, ...totals, candidates, unmet };
}

/** The money caps and the region quota as the selectors applied them. */
export function offerRails(plan: OfferPlan): GuardRailOutcome[] {
  const rails: GuardRailOutcome[] = [];
  const reasons = plan.unmet?.reasons ?? [];
  for (const [reason, rail] of [
    ['budget', 'money-cap'],
    ['quota', 'region-quota'],
  ] as const) {
    if (!reasons.includes(reason)) continue;
    const details = plan.candidates.flatMap((c) =>
      c.excluded === reason && c.detail !== null ? [c.detail] : [],
    );
    const message = [...new Set(details)].sort().join('; ') || reason;
    rails.push({ rail, effects: ['limits-scale-up'], message });
  }
  return rails;
}
