import type { Clock } from '../../clock/clock.js';
import { EventLog } from '../ec2/event-log.js';
import { Random } from '../random.js';
import { Fifo } from './fifo.js';
import { summarizeWaits, type WaitSummary } from './wait-summary.js';

/** Taskcluster's identifier pattern for provisionerId and workerType. */
export const QUEUE_IDENTIFIER = /^[a-zA-Z0-9-_]{1,38}$/;

/** `<provisionerId>/<workerType>`, the queue's newer name for a worker pool's queue. */
export function taskQueueIdOf(provisionerId: string, workerType: string): string {
  return `${provisionerId}/${workerType}`;
}

export function isValidTaskQueueId(taskQueueId: string): boolean {
  const [provisionerId = '', workerType = '', ...rest] = taskQueueId.split('/');
  return rest.length === 0 && QUEUE_IDENTIFIER.test(provisionerId) && QUEUE_IDENTIFIER.test(workerType);
}

export type SimTaskState = 'pending' | 'running' | 'completed';

/** One task's history, for benchmarks and tests. */
export interface TaskStatistics {
  taskId: string;
  taskQueueId: string;
  durationMs: number;
  state: SimTaskState;
  arrival: number;
  /** The latest claim (a task lost by its worker is claimed again). */
  claim?: number;
  finish?: number;
  /** Time spent pending over all runs; for a task still pending, up to now. */
  waitMs: number;
  /** Claims so far. */
  runs: number;
  workerId?: string;
}

export interface NewTask {
  provisionerId: string;
  workerType: string;
  /** How long the task runs once claimed. */
  durationMs: number;
}

export interface ClaimedTask {
  taskId: string;
  taskQueueId: string;
  /** 0 for the first run; a stale run cannot resolve or re-queue the task. */
  runId: number;
  durationMs: number;
}

export interface TaskQueueOptions {
  clock: Clock;
  /** Where task records go (the simulated world shares one log); a private log by default. */
  events?: EventLog;
  /** Seeds the task ids. */
  seed?: number | string;
  /** Completed task records kept for `task()`, oldest dropped first; wait statistics keep every task. */
  retainCompletedTasks?: number;
}

interface SimTask {
  taskId: string;
  taskQueueId: string;
  durationMs: number;
  state: SimTaskState;
  arrival: number;
  pendingSince: number;
  waitMs: number;
  runs: number;
  claim?: number;
  finish?: number;
  workerId?: string;
}

const SLUG_FIRST = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef';
const SLUG_REST = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * The simulated Taskcluster queue: tasks per `provisionerId/workerType`, claimed first-in first-out. A task
 * its worker loses goes to the back of its queue and runs again. Every operation is O(1) per task.
 */
export class TaskQueue {
  readonly events: EventLog;
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly retainCompleted: number;
  private readonly tasks = new Map<string, SimTask>();
  private readonly pending = new Map<string, Fifo<SimTask>>();
  private readonly running = new Set<SimTask>();
  private readonly completedIds = new Fifo<string>();
  private readonly completedWaits: number[] = [];
  private readonly pendingListeners = new Set<(taskQueueId: string) => void>();
  private created = 0;
  private requeued = 0;

  constructor(options: TaskQueueOptions) {
    this.clock = options.clock;
    this.events = options.events ?? new EventLog(() => this.clock.now(), 200_000);
    this.random = Random.stream(options.seed ?? 1, 'task-ids');
    this.retainCompleted = options.retainCompletedTasks ?? 200_000;
  }

  /** Adds a pending task; returns its id. */
  createTask(input: NewTask): string {
    if (!QUEUE_IDENTIFIER.test(input.provisionerId) || !QUEUE_IDENTIFIER.test(input.workerType)) {
      throw new RangeError(`Invalid task queue ${input.provisionerId}/${input.workerType}`);
    }
    if (!(input.durationMs >= 0) || !Number.isFinite(input.durationMs)) {
      throw new RangeError(`Task duration must be a non-negative number of ms, got ${input.durationMs}`);
    }
    const now = this.clock.now();
    const task: SimTask = {
      taskId: this.newTaskId(),
      taskQueueId: taskQueueIdOf(input.provisionerId, input.workerType),
      durationMs: input.durationMs,
      state: 'pending',
      arrival: now,
      pendingSince: now,
      waitMs: 0,
      runs: 0,
    };
    this.tasks.set(task.taskId, task);
    this.created++;
    this.events.record('task-created', {
      taskId: task.taskId,
      taskQueueId: task.taskQueueId,
      durationMs: task.durationMs,
    });
    this.enqueue(task);
    return task.taskId;
  }

  /** Tasks waiting in the queue; 0 for a queue never heard of. */
  pendingTasks(taskQueueId: string): number {
    return this.pending.get(taskQueueId)?.size ?? 0;
  }

  /** Claims up to `maxTasks` of the oldest pending tasks of the queue for `workerId`. */
  claimWork(taskQueueId: string, workerId: string, maxTasks: number): ClaimedTask[] {
    const fifo = this.pending.get(taskQueueId);
    const claimed: ClaimedTask[] = [];
    const now = this.clock.now();
    while (fifo !== undefined && claimed.length < maxTasks) {
      const task = fifo.shift();
      if (task === undefined) break;
      task.state = 'running';
      task.waitMs += now - task.pendingSince;
      task.claim = now;
      task.workerId = workerId;
      const runId = task.runs++;
      this.running.add(task);
      this.events.record('task-claimed', { taskId: task.taskId, taskQueueId, runId, workerId });
      claimed.push({ taskId: task.taskId, taskQueueId, runId, durationMs: task.durationMs });
    }
    return claimed;
  }

  /** The run finished: the task is completed. False when that run is not the task's running one. */
  resolveTask(taskId: string, runId: number): boolean {
    const task = this.runningTask(taskId, runId);
    if (task === undefined) return false;
    task.state = 'completed';
    task.finish = this.clock.now();
    this.running.delete(task);
    this.completedWaits.push(task.waitMs);
    this.events.record('task-completed', { taskId, runId, workerId: task.workerId });
    this.completedIds.push(taskId);
    if (this.completedIds.size > this.retainCompleted) this.tasks.delete(this.completedIds.shift() as string);
    return true;
  }

  /** The worker lost the run (interrupted, terminated): the task waits again at the back of its queue. */
  requeueTask(taskId: string, runId: number, reason: string): boolean {
    const task = this.runningTask(taskId, runId);
    if (task === undefined) return false;
    this.running.delete(task);
    task.state = 'pending';
    task.pendingSince = this.clock.now();
    this.requeued++;
    this.events.record('task-requeued', { taskId, runId, workerId: task.workerId, reason });
    this.enqueue(task);
    return true;
  }

  /** Calls `listener` whenever a task becomes pending (created or re-queued). */
  onTaskPending(listener: (taskQueueId: string) => void): () => void {
    this.pendingListeners.add(listener);
    return () => this.pendingListeners.delete(listener);
  }

  task(taskId: string): TaskStatistics | undefined {
    const task = this.tasks.get(taskId);
    return task === undefined ? undefined : this.statisticsOf(task, this.clock.now());
  }

  /** Every retained task, in creation order. */
  taskStatistics(): TaskStatistics[] {
    const now = this.clock.now();
    return [...this.tasks.values()].map((task) => this.statisticsOf(task, now));
  }

  counts(): { created: number; pending: number; running: number; completed: number; requeued: number } {
    let pending = 0;
    for (const fifo of this.pending.values()) pending += fifo.size;
    return {
      created: this.created,
      pending,
      running: this.running.size,
      completed: this.completedWaits.length,
      requeued: this.requeued,
    };
  }

  /** Wait times of every task created: completed, running, and pending ones with their wait so far. */
  waitSummary(): WaitSummary {
    const now = this.clock.now();
    const waits = [...this.completedWaits];
    for (const task of this.running) waits.push(task.waitMs);
    for (const fifo of this.pending.values()) {
      for (const task of fifo.values()) waits.push(task.waitMs + now - task.pendingSince);
    }
    return summarizeWaits(waits);
  }

  taskQueueIds(): string[] {
    return [...this.pending.keys()];
  }

  private enqueue(task: SimTask): void {
    let fifo = this.pending.get(task.taskQueueId);
    if (fifo === undefined) {
      fifo = new Fifo<SimTask>();
      this.pending.set(task.taskQueueId, fifo);
    }
    fifo.push(task);
    for (const listener of [...this.pendingListeners]) listener(task.taskQueueId);
  }

  private runningTask(taskId: string, runId: number): SimTask | undefined {
    const task = this.tasks.get(taskId);
    return task?.state === 'running' && task.runs - 1 === runId ? task : undefined;
  }

  private statisticsOf(task: SimTask, now: number): TaskStatistics {
    const { pendingSince: _pendingSince, ...copy } = task;
    return {
      ...copy,
      waitMs: task.state === 'pending' ? task.waitMs + now - task.pendingSince : task.waitMs,
    };
  }

  private newTaskId(): string {
    for (;;) {
      // slugid's "nice" shape: 22 url-safe base64 characters, never starting with '-'.
      const id = this.random.chars(1, SLUG_FIRST) + this.random.chars(21, SLUG_REST);
      if (!this.tasks.has(id)) return id;
    }
  }
}
