import type { Ec2World } from '../ec2/ec2-world.js';
import type { InstanceHookEvent } from '../ec2/world-context.js';
import type { TaskQueue } from '../queue/task-queue.js';
import { InstanceAccount, type InstanceUsage, type PriceSource } from './instance-account.js';
import { SimulatedWorker } from './simulated-worker.js';
import { WaitingRoom } from './waiting-room.js';
import { parseWorkerUserData } from './worker-bootstrap.js';
import { resolveWorkerSettings, type WorkerSettings } from './worker-settings.js';

export interface WorkerFleetOptions {
  ec2: Ec2World;
  queue: TaskQueue;
  settings?: Partial<WorkerSettings>;
}

export interface FleetSummary {
  /** Instances that reached `running` (and were billed). */
  instancesRun: number;
  /** Workers not stopped yet. */
  liveWorkers: number;
  uptimeMs: number;
  busyMs: number;
  idleMs: number;
  /** Capacity x uptime: the task slots paid for. */
  slotMs: number;
  slotBusyMs: number;
  /** Share of the paid task slots that ran no task. */
  idleFraction: number;
  costUsd: number;
}

/**
 * Puts a simulated worker on every instance that reaches `running` (when its user data names a worker
 * type), and keeps the accounts of every instance that ran.
 */
export class WorkerFleet {
  readonly settings: WorkerSettings;
  readonly room: WaitingRoom;
  private readonly ec2: Ec2World;
  private readonly queue: TaskQueue;
  private readonly prices: PriceSource;
  private readonly workers = new Map<string, SimulatedWorker>();
  private readonly accounts = new Map<string, InstanceAccount>();
  private readonly bootstrapping = new Set<Promise<void>>();
  private readonly startListeners = new Set<(worker: SimulatedWorker) => void>();
  private readonly unsubscribers: Array<() => void>;

  constructor(options: WorkerFleetOptions) {
    this.ec2 = options.ec2;
    this.queue = options.queue;
    this.settings = resolveWorkerSettings(options.settings);
    this.room = new WaitingRoom((taskQueueId) => this.queue.pendingTasks(taskQueueId));
    const { catalog, market } = this.ec2;
    this.prices = {
      onDemandPrice: (region, instanceType) => catalog.onDemandPrice(region, instanceType),
      spotPriceHistory: (region, zone, type, from, to) => market.history(region, zone, type, from, to),
    };
    this.unsubscribers = [
      this.ec2.onInstanceEvent((event) => this.onInstanceEvent(event)),
      this.queue.onTaskPending((taskQueueId) => this.room.wakeFor(taskQueueId)),
    ];
  }

  /** The live worker on an instance. */
  worker(instanceId: string): SimulatedWorker | undefined {
    return this.workers.get(instanceId);
  }

  usage(instanceId: string): InstanceUsage | undefined {
    return this.accounts.get(instanceId)?.usage(this.ec2.clock.now(), this.prices);
  }

  /** Every instance that ran, in the order they reached `running`. */
  usages(): InstanceUsage[] {
    const now = this.ec2.clock.now();
    return [...this.accounts.values()].map((account) => account.usage(now, this.prices));
  }

  /** Resolves when every HTTP bootstrap in flight has finished. */
  async settled(): Promise<void> {
    while (this.bootstrapping.size > 0) await Promise.all([...this.bootstrapping]);
  }

  summary(): FleetSummary {
    const totals = { uptimeMs: 0, busyMs: 0, idleMs: 0, slotMs: 0, slotBusyMs: 0, costUsd: 0 };
    for (const usage of this.usages()) {
      totals.uptimeMs += usage.uptimeMs;
      totals.busyMs += usage.busyMs;
      totals.idleMs += usage.idleMs;
      totals.slotMs += usage.capacity * usage.uptimeMs;
      totals.slotBusyMs += usage.slotBusyMs;
      totals.costUsd += usage.costUsd;
    }
    return {
      instancesRun: this.accounts.size,
      liveWorkers: this.workers.size,
      ...totals,
      idleFraction: totals.slotMs === 0 ? 0 : 1 - totals.slotBusyMs / totals.slotMs,
    };
  }

  /**
   * Calls `listener` when a worker starts on a running instance (before it bootstraps). In `skip` mode
   * nothing calls the provisioner's API: a benchmark can check the worker in in-process from here.
   */
  onWorkerStarted(listener: (worker: SimulatedWorker) => void): () => void {
    this.startListeners.add(listener);
    return () => this.startListeners.delete(listener);
  }

  /** Stops listening to the world (workers already running keep their timers). */
  close(): void {
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
  }

  private onInstanceEvent(event: InstanceHookEvent): void {
    const { instanceId } = event.instance;
    if (event.type === 'running') this.startWorker(event);
    else if (event.type === 'interruption-warning') this.workers.get(instanceId)?.interrupted();
    else if (event.type === 'shutting-down') {
      this.workers.get(instanceId)?.stop(event.reason.code);
      this.workers.delete(instanceId);
      this.accounts.get(instanceId)?.end(this.ec2.clock.now());
    }
  }

  private startWorker(event: InstanceHookEvent & { type: 'running' }): void {
    const { instance } = event;
    const account = new InstanceAccount(instance, this.ec2.clock.now());
    this.accounts.set(instance.instanceId, account);
    const userData = parseWorkerUserData(this.ec2.userData(instance.instanceId));
    if (typeof userData === 'string') {
      this.ec2.events.record('worker-misconfigured', {
        region: instance.region,
        instanceId: instance.instanceId,
        error: userData,
      });
      return;
    }
    const worker = new SimulatedWorker(
      {
        clock: this.ec2.clock,
        queue: this.queue,
        room: this.room,
        events: this.ec2.events,
        settings: this.settings,
        shutdown: (id) => this.ec2.shutdownFromInside(id),
      },
      instance,
      userData,
      account,
    );
    this.workers.set(instance.instanceId, worker);
    for (const listener of [...this.startListeners]) listener(worker);
    worker.start();
    if (worker.state === 'bootstrapping') {
      const ready = worker.ready.finally(() => this.bootstrapping.delete(ready));
      this.bootstrapping.add(ready);
    }
  }
}
