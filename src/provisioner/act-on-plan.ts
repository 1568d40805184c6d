import type { IterationPlan, WorkerTypeFacts } from '../domain/plan-types.js';
import type { WorkerType } from '../domain/worker-type.js';
import type { Housekeeper } from './housekeeper.js';
import type { WorkerTypeOutcome } from './iteration-record.js';
import { type Launcher, LaunchesNotRecorded, type LaunchResult } from './launcher.js';

export interface ActDeps {
  housekeeper: Housekeeper;
  launcher: Launcher;
  /** Where a finished removal's key pairs may be: older definitions may have used regions the last dropped. */
  allowedRegions: readonly string[];
}

/**
 * Carries the plan out: housekeeping first (it frees capacity and budget), then launches, each worker type
 * on its own. Failures are collected in `errors`, never thrown: one worker type or region never stops the
 * others.
 */
export async function actOnPlan(
  deps: ActDeps,
  observed: { plan: IterationPlan; facts: readonly WorkerTypeFacts[]; definitions: readonly WorkerType[] },
  errors: string[],
  signal?: AbortSignal,
): Promise<WorkerTypeOutcome[]> {
  const { plan, facts, definitions } = observed;
  const factsOf = new Map(facts.map((f) => [f.workerType, f]));
  const terminations = plan.workerTypes.flatMap((p) =>
    p.terminations.map((t) => ({
      ...t,
      workerType: p.workerType,
      instance: factsOf.get(p.workerType)?.instances.find((i) => i.instanceId === t.instanceId),
    })),
  );
  const [terminated, cancelled] = await Promise.all([
    deps.housekeeper.terminate(terminations, signal),
    deps.housekeeper.cancel(
      plan.workerTypes.flatMap((p) => p.cancellations),
      signal,
    ),
  ]);
  errors.push(...terminated.errors, ...cancelled.errors);
  const terminatedIds = new Set(terminated.done);
  errors.push(...(await deps.housekeeper.finishRemovals(plan.removalsFinished, deps.allowedRegions)));
  signal?.throwIfAborted();
  const byName = new Map(definitions.map((d) => [d.workerType, d]));
  return Promise.all(
    plan.workerTypes.map(async (workerTypePlan): Promise<WorkerTypeOutcome> => {
      const definition = byName.get(workerTypePlan.workerType);
      const launches: LaunchResult[] = definition
        ? await deps.launcher
            .launchAll(definition, workerTypePlan.launches, signal)
            .catch((error: Error): LaunchResult[] => {
              errors.push(`launching for ${definition.workerType}: ${error.message}`);
              // Unless recording failed, the launches made their secrets and their record settles them.
              const unrecorded = error instanceof LaunchesNotRecorded ? { notRecorded: true as const } : {};
              return workerTypePlan.launches.map(() => ({
                outcome: 'deferred',
                reason: error.message,
                ...unrecorded,
              }));
            })
        : [];
      const terminations = workerTypePlan.terminations.filter((t) => terminatedIds.has(t.instanceId)).length;
      return { plan: workerTypePlan, launches, terminations };
    }),
  );
}
