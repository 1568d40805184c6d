import type { QueuePort } from '../queue/queue-port.js';

export interface ReadDemandOptions {
  /** Questions in flight at once. */
  concurrency?: number;
  /**
   * After this many failures in a row (a queue down or hung: each waits for its timeouts and retries), the
   * worker types not asked yet get an error without asking. One success resets the count; a refusal of one
   * worker type (a 400 or 404) is that worker type's error and does not count.
   */
  giveUpAfter?: number;
  /** Aborts the questions in flight and stops asking (the iteration ran out of time or lost leadership). */
  signal?: AbortSignal;
  /** Called as each worker type's count arrives (scale-down weighs how old the instances' states were then). */
  onAnswered?: (workerType: string) => void;
}

type Demand = number | { error: string };

/**
 * Pending tasks of every worker type, asked concurrently (a few at a time). A worker type whose question
 * fails gets its error instead of a number: its plan then neither scales up nor down.
 */
export async function readDemand(
  queue: QueuePort,
  provisionerId: string,
  workerTypes: readonly string[],
  options: ReadDemandOptions = {},
): Promise<Map<string, Demand>> {
  const { concurrency = 8, giveUpAfter = concurrency, signal, onAnswered } = options;
  const demand = new Map<string, Demand>();
  let next = 0;
  let failuresInARow = 0;
  let lastError = '';
  const worker = async () => {
    while (next < workerTypes.length) {
      const name = workerTypes[next++] as string;
      if (signal?.aborted) {
        demand.set(name, { error: `not asked: ${reasonOf(signal)}` });
      } else if (failuresInARow >= giveUpAfter) {
        demand.set(name, {
          error: `not asked: the queue failed ${failuresInARow} times in a row (${lastError})`,
        });
      } else {
        const { answer, queueFailed } = await ask(queue, provisionerId, name, signal);
        demand.set(name, answer);
        if (typeof answer === 'number') {
          failuresInARow = 0;
          onAnswered?.(name);
        } else if (queueFailed) {
          failuresInARow += 1;
          lastError = answer.error;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, workerTypes.length) }, worker));
  return demand;
}

/**
 * One question, ended early by `signal` (the queue client itself cannot be aborted). `queueFailed`: the
 * failure says the queue is down, hung or refusing us, not that it refused this one worker type (a 400 or
 * 404), which says nothing of the others.
 */
async function ask(
  queue: QueuePort,
  provisionerId: string,
  workerType: string,
  signal?: AbortSignal,
): Promise<{ answer: Demand; queueFailed: boolean }> {
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new Error(`not answered: ${reasonOf(signal)}`));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    const answer = await Promise.race([queue.pendingTasks(provisionerId, workerType), aborted]);
    return { answer, queueFailed: false };
  } catch (error) {
    const status = (error as { statusCode?: unknown }).statusCode;
    // Not 401/403: bad credentials fail every question alike.
    const refusedThisOne = status === 400 || status === 404;
    return { answer: { error: (error as Error).message ?? String(error) }, queueFailed: !refusedThisOne };
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

function reasonOf(signal: AbortSignal | undefined): string {
  const reason = signal?.reason as Error | undefined;
  return reason?.message ?? 'aborted';
}
