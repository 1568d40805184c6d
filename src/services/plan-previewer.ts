import type { Clock } from '../clock/clock.js';
import type { IterationPlan, WorkerTypePlan } from '../domain/plan-types.js';
import { NotFoundError, UnavailableError } from '../errors.js';

export interface PlanSource {
  preview(): Promise<IterationPlan>;
}

/**
 * What the next iteration would do and why, without doing it. A preview describes EC2 and asks the
 * queue, so concurrent callers share one, and a fresh one is reused for a few seconds.
 */
export class PlanPreviewer {
  private cached: { at: number; plan: Promise<IterationPlan> } | undefined;

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
    if (!this.cached || now - this.cached.at > this.maxAgeMs) {
      const plan = this.source.preview();
      this.cached = { at: now, plan };
      plan.catch(() => {
        if (this.cached?.plan === plan) this.cached = undefined;
      });
    }
    return this.cached.plan;
  }

  async planOf(workerType: string): Promise<WorkerTypePlan> {
    const found = (await this.plan()).workerTypes.find((p) => p.workerType === workerType);
    if (!found) throw new NotFoundError(`${workerType} is not defined and has no resources: nothing to plan`);
    return found;
  }
}
