import type { QueuePort } from '../src/queue/queue-port.js';

/** A QueuePort that counts the calls in flight (HTTP to the queue), for a virtual-time driver. */
export class CountingQueue implements QueuePort {
  inFlight = 0;
  calls = 0;

  constructor(private readonly inner: QueuePort) {}

  async pendingTasks(provisionerId: string, workerType: string): Promise<number> {
    this.inFlight += 1;
    this.calls += 1;
    try {
      return await this.inner.pendingTasks(provisionerId, workerType);
    } finally {
      this.inFlight -= 1;
    }
  }
}
