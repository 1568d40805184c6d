import type { QueuePort } from '../queue/queue-port.js';

/**
 * Pending tasks of every worker type, asked concurrently (a few at a time). A worker type whose question
 * fails gets its error instead of a number: its plan then neither scales up nor down.
 */
export async function readDemand(
  queue: QueuePort,
  provisionerId: string,
  workerTypes: readonly string[],
  concurrency = 8,
): Promise<Map<string, number | { error: string }>> {
  const demand = new Map<string, number | { error: string }>();
  let next = 0;
  const worker = async () => {
    while (next < workerTypes.length) {
      const name = workerTypes[next++] as string;
      try {
        demand.set(name, await queue.pendingTasks(provisionerId, name));
      } catch (error) {
        demand.set(name, { error: (error as Error).message ?? String(error) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, workerTypes.length) }, worker));
  return demand;
}
