import type { Clock } from '../../clock/clock.js';
import type { Ec2Instance } from '../../ec2/ec2-port.js';
import type { EventLog } from '../ec2/event-log.js';
import { type ClaimedTask, type TaskQueue, taskQueueIdOf } from '../queue/task-queue.js';
import type { InstanceAccount } from './instance-account.js';
import type { ClaimWaiter, WaitingRoom } from './waiting-room.js';
import { bootstrapOverHttp, type WorkerUserData } from './worker-bootstrap.js';
import type { WorkerSettings } from './worker-settings.js';

export interface WorkerEnvironment {
  clock: Clock;
  queue: TaskQueue;
  room: WaitingRoom;
  events: EventLog;
  settings: WorkerSettings;
  /** The worker shuts its own instance down (EC2's instance-initiated shutdown). */
  shutdown(instanceId: string): void;
}

/** `draining`: it claims nothing more (interrupted, idle, or failed to bootstrap) and waits for the end. */
export type WorkerState = 'bootstrapping' | 'working' | 'draining' | 'stopped';

interface RunningTask {
  claim: ClaimedTask;
  startedAt: number;
  cancel: () => void;
}

/**
 * A worker on a simulated instance (spec §D.9): bootstraps, claims up to `capacity` tasks of its queue,
 * runs each for its duration, claims again when a slot frees, shuts down when idle, and loses its tasks
 * back to the queue when its instance goes away.
 */
export class SimulatedWorker implements ClaimWaiter {
  state: WorkerState = 'bootstrapping';
  readonly workerId: string;
  readonly taskQueueId: string;
  readonly capacity: number;
  /** Settles when bootstrapping is over, however it ended. */
  ready: Promise<void> = Promise.resolve();
  private readonly running = new Map<string, RunningTask>();
  private lastPoll = 0;
  private promisedSlots = 0;
  private cancelPoll: (() => void) | undefined;
  private cancelIdle: (() => void) | undefined;

  constructor(
    private readonly env: WorkerEnvironment,
    readonly instance: Ec2Instance,
    readonly userData: WorkerUserData,
    private readonly account: InstanceAccount,
  ) {
    this.workerId = instance.instanceId;
    this.taskQueueId = taskQueueIdOf(userData.provisionerId, userData.workerType);
    this.capacity = userData.capacity;
    account.capacity = userData.capacity;
  }

  get freeSlots(): number {
    return this.capacity - this.running.size;
  }

  get runningTasks(): number {
    return this.running.size;
  }

  start(): void {
    const { events, settings } = this.env;
    events.record('worker-started', {
      region: this.instance.region,
      instanceId: this.workerId,
      taskQueueId: this.taskQueueId,
      capacity: this.capacity,
      bootstrap: settings.bootstrap,
    });
    // Without HTTP the worker starts in the same instant: nothing waits on real I/O, so runs repeat exactly.
    if (settings.bootstrap === 'skip') this.beginWork();
    else this.ready = this.bootstrap();
  }

  wake(promisedSlots: number): void {
    const { clock, settings } = this.env;
    this.promisedSlots = promisedSlots;
    const now = clock.now();
    const ticks = Math.max(1, Math.ceil((now - this.lastPoll) / settings.pollIntervalMs));
    this.cancelPoll?.();
    this.cancelPoll = clock.setTimer(this.lastPoll + ticks * settings.pollIntervalMs - now, () => {
      this.cancelPoll = undefined;
      this.claimNow();
    });
  }

  /** A spot interruption notice: like docker-worker, stop claiming and give the running tasks back now. */
  interrupted(): void {
    if (this.state === 'stopped') return;
    this.state = 'draining';
    this.stopWaiting();
    const now = this.env.clock.now();
    for (const task of this.takeRunning()) {
      this.account.taskEnded(now, task.startedAt);
      this.env.queue.requeueTask(task.claim.taskId, task.claim.runId, 'worker-shutdown');
    }
  }

  /** The instance is shutting down: tasks still running come back when their claims expire. */
  stop(reasonCode: string): void {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    this.stopWaiting();
    const { clock, queue, settings, events } = this.env;
    const now = clock.now();
    const lost = this.takeRunning();
    for (const task of lost) {
      this.account.taskEnded(now, task.startedAt);
      const { taskId, runId } = task.claim;
      clock.setTimer(settings.claimTimeoutMs, () => queue.requeueTask(taskId, runId, 'claim-expired'));
    }
    events.record('worker-stopped', {
      region: this.instance.region,
      instanceId: this.workerId,
      reason: reasonCode,
      lostTasks: lost.length,
    });
  }

  private async bootstrap(): Promise<void> {
    const { events, settings } = this.env;
    const outcome = await bootstrapOverHttp(this.userData, this.workerId, settings.bootstrapRequestTimeoutMs);
    if (this.state !== 'bootstrapping') return;
    const where = { region: this.instance.region, instanceId: this.workerId };
    if (!outcome.ok) {
      events.record('worker-bootstrap-failed', { ...where, error: outcome.error });
      this.state = 'draining';
      this.env.shutdown(this.workerId);
      return;
    }
    events.record('worker-bootstrapped', { ...where, instanceStarted: outcome.instanceStartedStatus });
    this.beginWork();
  }

  private beginWork(): void {
    this.state = 'working';
    this.lastPoll = this.env.clock.now();
    this.claimNow();
  }

  /** Claims into the free slots, then waits for more work if some stay free. */
  private claimNow(): void {
    if (this.state !== 'working') return;
    const { clock, queue, room } = this.env;
    this.cancelPoll?.();
    this.cancelPoll = undefined;
    const now = clock.now();
    this.lastPoll = now;
    if (this.freeSlots > 0) {
      for (const claim of queue.claimWork(this.taskQueueId, this.workerId, this.freeSlots))
        this.run(claim, now);
    }
    // Release a wake-up's promise only after claiming, so the room sees what is really left.
    this.releasePromise();
    if (this.freeSlots > 0) room.wait(this.taskQueueId, this);
    else room.leave(this.taskQueueId, this);
    this.watchIdleness(now);
  }

  private run(claim: ClaimedTask, now: number): void {
    this.account.taskStarted(now);
    const cancel = this.env.clock.setTimer(claim.durationMs, () => this.finish(claim.taskId));
    this.running.set(claim.taskId, { claim, startedAt: now, cancel });
  }

  private finish(taskId: string): void {
    const task = this.running.get(taskId);
    if (task === undefined) return;
    this.running.delete(taskId);
    this.env.queue.resolveTask(taskId, task.claim.runId);
    this.account.taskEnded(this.env.clock.now(), task.startedAt);
    this.claimNow();
  }

  private watchIdleness(now: number): void {
    if (this.running.size > 0) {
      this.cancelIdle?.();
      this.cancelIdle = undefined;
    } else if (this.cancelIdle === undefined) {
      const idleSince = now;
      const timeoutMs =
        this.userData.idleTimeoutMs === undefined
          ? this.env.settings.idleTimeoutMs
          : this.userData.idleTimeoutMs;
      if (timeoutMs === null) return;
      this.cancelIdle = this.env.clock.setTimer(timeoutMs, () => {
        this.cancelIdle = undefined;
        if (this.state !== 'working' || this.running.size > 0) return;
        this.state = 'draining';
        this.stopWaiting();
        this.env.events.record('worker-idle-shutdown', {
          region: this.instance.region,
          instanceId: this.workerId,
          idleMs: this.env.clock.now() - idleSince,
        });
        this.env.shutdown(this.workerId);
      });
    }
  }

  private releasePromise(): void {
    if (this.promisedSlots === 0) return;
    const slots = this.promisedSlots;
    this.promisedSlots = 0;
    this.env.room.claimed(this.taskQueueId, slots);
  }

  private stopWaiting(): void {
    this.cancelPoll?.();
    this.cancelPoll = undefined;
    this.cancelIdle?.();
    this.cancelIdle = undefined;
    this.env.room.leave(this.taskQueueId, this);
    this.releasePromise();
  }

  private takeRunning(): RunningTask[] {
    const tasks = [...this.running.values()];
    this.running.clear();
    for (const task of tasks) task.cancel();
    return tasks;
  }
}
