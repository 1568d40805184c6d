import taskcluster from 'taskcluster-client';
import type { Credentials } from '../config/config.js';
import type { QueuePort } from './queue-port.js';

/** The queue of a Taskcluster deployment (or the simulator's), through `taskcluster-client`'s `Queue`. */
export class TaskclusterQueue implements QueuePort {
  private readonly queue: InstanceType<typeof taskcluster.Queue>;

  constructor(rootUrl: string, credentials?: Credentials) {
    // Two retries: the loop asks again next iteration anyway, and must not stall on one slow worker type.
    this.queue = new taskcluster.Queue({
      rootUrl,
      retries: 2,
      timeout: 10_000,
      // The client's default agent opens a connection (and a TLS session) per call; the loop makes one call
      // per worker type per iteration and per demand check. Idle kept-alive sockets never hold the process.
      agent: { keepAlive: true, maxSockets: 50 },
      ...(credentials ? { credentials } : {}),
    });
  }

  async pendingTasks(provisionerId: string, workerType: string): Promise<number> {
    const reply = await this.queue.pendingTasks(provisionerId, workerType);
    return reply.pendingTasks;
  }
}
