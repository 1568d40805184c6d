/** Everything that happens in the simulated world, as JSON-able records stamped with the world's time. */

export type WorldEventType =
  | 'instance-launched'
  | 'instance-running'
  | 'interruption-warning'
  | 'instance-shutting-down'
  | 'instance-terminated'
  | 'instance-vanished'
  | 'launch-failed'
  | 'spot-request-created'
  | 'spot-request-status'
  | 'spot-request-cancelled'
  | 'spot-price-override'
  | 'resource-created'
  | 'resource-deleted'
  | 'tags-created'
  | 'request-throttled'
  | 'request-failed-by-fault'
  | 'fault-started'
  | 'fault-ended'
  // The queue simulator's and the simulated workers' records share the log (see SimulatedWorld).
  | 'task-created'
  | 'task-claimed'
  | 'task-completed'
  | 'task-requeued'
  | 'worker-started'
  | 'worker-bootstrapped'
  | 'worker-bootstrap-failed'
  | 'worker-misconfigured'
  | 'worker-idle-shutdown'
  | 'worker-stopped';

export interface WorldEvent {
  /** 1, 2, 3, ... over the world's life (also counts dropped records). */
  seq: number;
  /** World time, epoch ms. */
  time: number;
  type: WorldEventType;
  region?: string;
  [detail: string]: unknown;
}

export class EventLog {
  private records: WorldEvent[] = [];
  private start = 0;
  private nextSeq = 1;
  private readonly counts = new Map<WorldEventType, number>();

  constructor(
    private readonly now: () => number,
    private readonly maxEvents: number,
  ) {}

  record(type: WorldEventType, details: Record<string, unknown> & { region?: string }): WorldEvent {
    const event: WorldEvent = { seq: this.nextSeq++, time: this.now(), type, ...details };
    this.counts.set(type, (this.counts.get(type) ?? 0) + 1);
    this.records.push(event);
    if (this.records.length - this.start > this.maxEvents) this.start++;
    // Drop the dropped prefix in bulk, not on every record.
    if (this.start > 1024 && this.start * 2 > this.records.length) {
      this.records = this.records.slice(this.start);
      this.start = 0;
    }
    return event;
  }

  /** Records with seq > `afterSeq` (all kept records by default), oldest first, at most `limit`. */
  list(options: { afterSeq?: number; limit?: number; type?: WorldEventType } = {}): WorldEvent[] {
    const afterSeq = options.afterSeq ?? 0;
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    const out: WorldEvent[] = [];
    const first = this.records[this.start]?.seq ?? this.nextSeq;
    for (let i = this.start + Math.max(0, afterSeq - first + 1); i < this.records.length; i++) {
      const event = this.records[i];
      if (event === undefined || out.length >= limit) break;
      if (options.type === undefined || event.type === options.type) out.push(event);
    }
    return out;
  }

  /** Records of `type` ever written, including dropped ones (summaries count without scanning). */
  count(type: WorldEventType): number {
    return this.counts.get(type) ?? 0;
  }

  /** Records ever written, including dropped ones. */
  get total(): number {
    return this.nextSeq - 1;
  }
}
