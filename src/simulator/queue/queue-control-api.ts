/**
 * Steering the simulated queue at run time, under `/simulator/v1/queue/`:
 *   GET  stats                 task counts and wait-time statistics
 *   GET  pending               pending tasks per task queue
 *   POST tasks                 {provisionerId, workerType, durationMs, count?} -> {taskIds}
 *   GET  tasks/<taskId>        one task's statistics
 */
import { ControlRequestError, controlHandler, readJsonObject } from '../control-json.js';
import type { SimulatorRequestHandler } from '../ec2/ec2-http-handler.js';
import type { TaskQueue } from './task-queue.js';

export const QUEUE_CONTROL_PREFIX = '/simulator/v1/queue/';

/** Most tasks one POST may create (a typo should not allocate a million tasks). */
const MAX_TASKS_PER_REQUEST = 10_000;

export function createQueueControlHandler(queue: TaskQueue): SimulatorRequestHandler {
  return controlHandler(QUEUE_CONTROL_PREFIX, {
    'GET stats': () => ({ ...queue.counts(), wait: queue.waitSummary() }),
    'GET pending': () => ({
      queues: Object.fromEntries(queue.taskQueueIds().map((id) => [id, queue.pendingTasks(id)])),
    }),
    'POST tasks': async (req) => {
      const body = await readJsonObject(req);
      const count = body.count ?? 1;
      if (
        typeof count !== 'number' ||
        !Number.isInteger(count) ||
        count < 1 ||
        count > MAX_TASKS_PER_REQUEST
      ) {
        throw new ControlRequestError(400, `"count" must be an integer from 1 to ${MAX_TASKS_PER_REQUEST}`);
      }
      const task = {
        provisionerId: String(body.provisionerId),
        workerType: String(body.workerType),
        durationMs: Number(body.durationMs),
      };
      return { taskIds: Array.from({ length: count }, () => queue.createTask(task)) };
    },
    'GET tasks': (_req, parts) => {
      const task = queue.task(parts[1] ?? '');
      if (task === undefined || parts.length !== 2) throw new ControlRequestError(404, 'No such task');
      return task;
    },
  });
}
