import { setMaxListeners } from 'node:events';
import type { Clock } from '../clock/clock.js';
import type { IterationPlan, WorkerTypePlan } from '../domain/plan-types.js';
import { NotFoundError, UnavailableError } from '../errors.js';

export interface PlanSource {
  /** Stops what it can when `signal` aborts. */
  preview(signal?: AbortSignal): Promise<IterationPlan>;
}

export interface PlanPreviewerOptions {
  /** A finished preview is reused this long after it finished. */
  maxAgeMs?: number;
  /** A preview still running this long after it started is aborted and its callers get a 503. */
  deadlineMs?: number;
}

interface Entry {
  /** When it finished; unset while it runs. */
  at?: number;
  plan: Promise<IterationPlan>;
}

/**
 * What the next iteration would do and why, without doing it. A preview describes EC2 and asks the
 * queue, so concurrent callers share one, and a fresh one is reused for a few seconds after it finished.
 * One that hangs (EC2 or the queue never answering) is given up at a deadline, so it cannot hold every
 * later caller forever.
 */
export class PlanPreviewer {
  private cached: Entry | undefined;
  private readonly maxAgeMs: number;
  private readonly deadlineMs: number;

  constructor(
    private readonly source: PlanSource | undefined,
    private readonly clock: Clock,
    options: PlanPreviewerOptions = {},
  ) {
    this.maxAgeMs = options.maxAgeMs ?? 10_000;
    this.deadlineMs = options.deadlineMs ?? 120_000;
  }

  async plan(): Promise<IterationPlan> {
    if (!this.source) {
      throw new UnavailableError(
        'No queue is configured (TASKCLUSTER_ROOT_URL), so no plan can be previewed',
      );
    }
    const now = this.clock.now();
    // A preview still running is shared until its deadline (a slow queue must not pile previews up); a
    // finished one is reused until `maxAgeMs` after it finished.
    const cached = this.cached;
    if (cached && (cached.at === undefined || now - cached.at <= this.maxAgeMs)) return cached.plan;
    const entry: Entry = { plan: this.start(this.source) };
    this.cached = entry;
    entry.plan.then(
      () => {
        entry.at = this.clock.now();
      },
      () => {
        if (this.cached === entry) this.cached = undefined;
      },
    );
    return entry.plan;
  }

  async planOf(workerType: string): Promise<WorkerTypePlan> {
    const found = (await this.plan()).workerTypes.find((p) => p.workerType === workerType);
    if (!found) throw new NotFoundError(`${workerType} is not defined and has no resources: nothing to plan`);
    return found;
  }

  /** The source's preview, or a 503 at the deadline, when it is also told to stop. */
  private start(source: PlanSource): Promise<IterationPlan> {
    const controller = new AbortController();
    // Every concurrent EC2 call and queue question listens on it: no leak warning at 11 listeners.
    setMaxListeners(0, controller.signal);
    const seconds = Math.round(this.deadlineMs / 1000);
    const late = new UnavailableError(
      `The plan preview was given up after ${seconds} s: EC2 or the queue did not answer in time; try again`,
    );
    return new Promise<IterationPlan>((resolve, reject) => {
      const cancel = this.clock.setTimer(this.deadlineMs, () => {
        controller.abort(late);
        reject(late);
      });
      source.preview(controller.signal).then(
        (plan) => {
          cancel();
          resolve(plan);
        },
        (error: unknown) => {
          cancel();
          reject(error);
        },
      );
    });
  }
}
