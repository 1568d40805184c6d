/**
 * Reads a plan preview defensively: the endpoint may answer with an iteration plan (`workerTypes: [...]`),
 * one worker type's plan, or either wrapped in `plan`; fields may be missing. Nothing here trusts a shape.
 */
export interface PlanView {
  change: number | null;
  spend: { now: number | null; planned: number | null } | null;
  launches: {
    region?: string;
    zone?: string;
    instanceType?: string;
    market?: string;
    price?: number;
    maxPrice?: number | null;
    capacity?: number;
  }[];
  terminations: unknown[];
  cancellations: unknown[];
  blocked: { rail: string; message: string }[];
  record: unknown;
}

type Loose = Record<string, unknown>;

const isObject = (value: unknown): value is Loose =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const numberOr = (value: unknown): number | null => (typeof value === 'number' ? value : null);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

function findPlan(body: unknown, workerType: string, depth = 0): Loose | undefined {
  if (!isObject(body) || depth > 3) return undefined;
  if (body.workerType === workerType) return body;
  const plans = list(body.workerTypes).filter(isObject);
  const match = plans.find((p) => p.workerType === workerType);
  if (match) return match;
  for (const key of ['plan', 'preview', 'result']) {
    const inner = findPlan(body[key], workerType, depth + 1);
    if (inner) return inner;
  }
  return undefined;
}

function blockedOf(value: unknown): PlanView['blocked'] {
  return list(value).map((item) =>
    isObject(item)
      ? { rail: String(item.rail ?? 'guard rail'), message: String(item.message ?? JSON.stringify(item)) }
      : { rail: 'guard rail', message: String(item) },
  );
}

export function planOf(body: unknown, workerType: string): PlanView | undefined {
  const plan = findPlan(body, workerType);
  if (!plan) return undefined;
  const spend = isObject(plan.hourlySpend) ? plan.hourlySpend : undefined;
  return {
    change: numberOr(plan.change),
    spend: spend ? { now: numberOr(spend.now), planned: numberOr(spend.planned) } : null,
    launches: list(plan.launches).filter(isObject) as PlanView['launches'],
    terminations: list(plan.terminations),
    cancellations: list(plan.cancellations),
    blocked: blockedOf(plan.blocked),
    record: plan.record ?? plan.decision,
  };
}
