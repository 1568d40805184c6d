import type { Clock } from '../clock/clock.js';
import type { IterationPlan, WorkerTypePlan } from '../domain/plan-types.js';
import { NotFoundError, UnavailableError } from '../errors.js';

export interface PlanSource {
  preview(): Promise<IterationPlan>;
}

/**
 * What the next iteration would do and why, without doing it. A preview describes EC2 and asks the
 * queue, so concurrent callers share one, and a fresh one is reused for a few seconds after it finished.
 */
export class PlanPreviewer {
  /** `at`: when it finished; unset while it runs. */
  private cached: { at?: number; plan: Promise<IterationPlan> } | undefined;

  constructor(
    private readonly source: PlanSource | undefined,
    private readonly clock: Clock,
    private readonly maxAgeMs = 10_000,
  ) {}

  async plan(): Promise<IterationPlan> {
    if (!this.source) {
      throw new UnavailableError(
        'No queue is configured (TASKCLUSTER_ROOT_URL), so no plan can be previewed',
      );
    }
    const now = this.clock.now();
    // A preview still running is shared whatever its age (a slow queue must not pile previews up); a
    // finished one is reused until `maxAgeMs` after it finished.
    const cached = this.cached;
    if (!cached || (cached.at !== undefined && now - cached.at > this.maxAgeMs)) {
      const plan = this.source.preview();
      const entry: { at?: number; plan: Promise<IterationPlan> } = { plan };
      this.cached = entry;
      plan.then(
        () => {
          entry.at = this.clock.now();
        },
        () => {
          if (this.cached === entry) this.cached = undefined;
        },
      );
      return plan;
    }
    return cached.plan;
  }

  async planOf(workerType: string): Promise<WorkerTypePlan> {
    const found = (await this.plan()).workerTypes.find((p) => p.workerType === workerType);
    if (!found) throw new NotFoundError(`${workerType} is not defined and has no resources: nothing to plan`);
    return found;
  }
}
