/**
 * The Taskcluster queue's `pendingTasks` routes, as `taskcluster-client` calls them with a rootUrl:
 *   GET /api/queue/v1/pending/<provisionerId>/<workerType>  -> {provisionerId, workerType, pendingTasks}
 *   GET /api/queue/v1/pending/<taskQueueId>                 -> {taskQueueId, pendingTasks}
 * (the taskQueueId's slash URL-encoded), plus `ping`. Errors use Taskcluster's body.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { replyJson } from '../control-json.js';
import type { SimulatorRequestHandler } from '../ec2/ec2-http-handler.js';
import { isValidTaskQueueId, QUEUE_IDENTIFIER, type TaskQueue, taskQueueIdOf } from './task-queue.js';

export const QUEUE_API_PREFIX = '/api/queue/v1/';

function taskclusterError(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  params: Record<string, string> = {},
): void {
  replyJson(res, status, {
    code,
    message,
    requestInfo: { method: req.method, params, payload: {}, time: new Date().toISOString() },
  });
}

/** `decodeURIComponent`, or undefined for a malformed escape. */
function decoded(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function answerPending(queue: TaskQueue, req: IncomingMessage, res: ServerResponse, segments: string[]) {
  const values = segments.map(decoded);
  if (values.length === 2) {
    const [provisionerId = '', workerType = ''] = values;
    const params = { provisionerId, workerType };
    if (!QUEUE_IDENTIFIER.test(provisionerId) || !QUEUE_IDENTIFIER.test(workerType)) {
      taskclusterError(
        req,
        res,
        400,
        'InvalidRequestArguments',
        'Invalid provisionerId or workerType',
        params,
      );
      return;
    }
    const pendingTasks = queue.pendingTasks(taskQueueIdOf(provisionerId, workerType));
    replyJson(res, 200, { provisionerId, workerType, pendingTasks });
    return;
  }
  const taskQueueId = values.length === 1 ? (values[0] ?? '') : '';
  if (!isValidTaskQueueId(taskQueueId)) {
    taskclusterError(req, res, 400, 'InvalidRequestArguments', 'Invalid taskQueueId', { taskQueueId });
    return;
  }
  replyJson(res, 200, { taskQueueId, pendingTasks: queue.pendingTasks(taskQueueId) });
}

/** Answers requests under `/api/queue/v1/`; false for any other path. */
export function createQueueHttpHandler(queue: TaskQueue): SimulatorRequestHandler {
  const started = Date.now();
  return async (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (!path.startsWith(QUEUE_API_PREFIX)) return false;
    // Split before decoding: `a%2Fb` is one taskQueueId segment, `a/b` two.
    const [route = '', ...segments] = path.slice(QUEUE_API_PREFIX.length).split('/');
    if (req.method === 'GET' && route === 'pending' && (segments.length === 1 || segments.length === 2)) {
      answerPending(queue, req, res, segments);
    } else if (req.method === 'GET' && route === 'ping' && segments.length === 0) {
      replyJson(res, 200, { alive: true, uptime: (Date.now() - started) / 1000 });
    } else {
      taskclusterError(
        req,
        res,
        404,
        'ResourceNotFound',
        `The simulated queue has no route ${req.method} ${path}`,
      );
    }
    return true;
  };
}
