/**
 * Workers with free slots, waiting for tasks, per task queue. Real workers poll the queue every few
 * seconds; simulating that with a timer per idle worker would cost work on every tick for every instance.
 * Instead a worker waits here, and only when a task appears that no woken worker will take is the
 * longest-waiting worker woken, to claim at its next poll tick: the same outcome, O(1) per task.
 */
export interface ClaimWaiter {
  /** Slots it would fill if it claimed now. */
  readonly freeSlots: number;
  /** Work appeared: claim at the next poll tick, then call `claimed` with the same `promisedSlots`. */
  wake(promisedSlots: number): void;
}

export class WaitingRoom {
  /** Insertion-ordered: the longest-waiting worker first. */
  private readonly waiting = new Map<string, Set<ClaimWaiter>>();
  /** Free slots of woken workers that have not polled yet. */
  private readonly promised = new Map<string, number>();

  constructor(private readonly pendingTasks: (taskQueueId: string) => number) {}

  /** The worker waits for work of the queue (again); idempotent. */
  wait(taskQueueId: string, waiter: ClaimWaiter): void {
    let set = this.waiting.get(taskQueueId);
    if (set === undefined) {
      set = new Set();
      this.waiting.set(taskQueueId, set);
    }
    set.add(waiter);
    this.wakeFor(taskQueueId);
  }

  /** The worker stops waiting (it is full or stopping). */
  leave(taskQueueId: string, waiter: ClaimWaiter): void {
    this.waiting.get(taskQueueId)?.delete(waiter);
  }

  /** A woken worker polled (or gave up before it could): its promised slots are free to promise again. */
  claimed(taskQueueId: string, promisedSlots: number): void {
    this.promised.set(taskQueueId, (this.promised.get(taskQueueId) ?? 0) - promisedSlots);
    this.wakeFor(taskQueueId);
  }

  /** Wakes waiting workers until the queue's pending tasks are all promised to someone. */
  wakeFor(taskQueueId: string): void {
    const set = this.waiting.get(taskQueueId);
    if (set === undefined || set.size === 0) return;
    let promised = this.promised.get(taskQueueId) ?? 0;
    const pending = this.pendingTasks(taskQueueId);
    while (pending > promised) {
      const next = set.values().next();
      if (next.done) break;
      const waiter = next.value;
      set.delete(waiter);
      const slots = waiter.freeSlots;
      promised += slots;
      this.promised.set(taskQueueId, promised);
      waiter.wake(slots);
    }
  }

  /** Workers waiting for the queue (tests, statistics). */
  waitingCount(taskQueueId: string): number {
    return this.waiting.get(taskQueueId)?.size ?? 0;
  }
}
