/** The one question the provisioner asks the Taskcluster queue. */
export interface QueuePort {
  /** Tasks waiting for workers of `provisionerId/workerType` (an upper-bound estimate, like the queue's). */
  pendingTasks(provisionerId: string, workerType: string): Promise<number>;
}
