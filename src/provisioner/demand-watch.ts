import { type DemandBaseline, demandBaselines, demandOutgrew } from '../domain/demand-growth.js';
import type { IterationPlan } from '../domain/plan-types.js';
import type { QueuePort } from '../queue/queue-port.js';

/**
 * Re-reads pending tasks between iterations and says when a worker type's demand grew past what the
 * last iteration covered, on two checks in a row: tasks that idle workers claim before the next check
 * (they poll) need no new capacity, and reacting to them cost 7% more over the first 24 h of the gecko-t
 * replay. It asks the queue only about worker types the last plan fully served; a question that fails
 * counts as no growth (the regular iteration reads demand again).
 */
export class DemandWatch {
  private baselines: readonly DemandBaseline[] = [];
  /** Each worker type's read at the previous check since the last iteration. */
  private previous = new Map<string, number>();

  constructor(
    private readonly queue: QueuePort,
    private readonly provisionerId: string,
    private readonly concurrency = 8,
  ) {}

  /** Takes the baselines from the iteration that just ran. */
  remember(plan: IterationPlan): void {
    this.baselines = demandBaselines(plan);
    this.previous = new Map();
  }

  /** After a failed iteration nothing is known to be covered: no early start, the interval applies. */
  forget(): void {
    this.baselines = [];
    this.previous = new Map();
  }

  /** The first worker type found whose demand outgrew its baseline; it stops asking once one is found. */
  async outgrown(signal?: AbortSignal): Promise<string | undefined> {
    // A check abandoned at the iteration's start may still get answers: they go to these, not the new ones.
    const { baselines, previous } = this;
    let next = 0;
    let found: string | undefined;
    const worker = async () => {
      while (found === undefined && next < baselines.length && !signal?.aborted) {
        const baseline = baselines[next++] as DemandBaseline;
        const pending = await this.queue
          .pendingTasks(this.provisionerId, baseline.workerType)
          .catch(() => null);
        if (pending === null) {
          previous.delete(baseline.workerType);
          continue;
        }
        const before = previous.get(baseline.workerType);
        previous.set(baseline.workerType, pending);
        if (before === undefined) continue;
        if (demandOutgrew(baseline, Math.min(before, pending))) found ??= baseline.workerType;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, baselines.length) }, worker));
    return found;
  }
}
