import { setMaxListeners } from 'node:events';
import type { Clock } from '../clock/clock.js';
import type { Logger } from '../log/logger.js';
import type { Database, HeldLock } from '../store/database.js';
import { type DemandCheck, untilNextIteration } from './next-iteration.js';

/** The advisory lock that makes one `provisioner` process the leader among replicas on one PostgreSQL. */
export const LEADER_LOCK_KEY = 72_520_002;

export interface LoopRunnerOptions {
  db: Database;
  clock: Clock;
  logger: Logger;
  /** Time between the starts of two iterations (an iteration that runs longer is followed at once). */
  intervalMs: number;
  /** Between iterations: demand that outgrew the last one starts the next early. */
  demandCheck?: DemandCheck;
  /** An iteration running longer is aborted. */
  maxIterationMs: number;
  /** A standby process tries to become leader this often; half an interval, so takeover is within one. */
  standbyPollMs?: number;
  /** One iteration; it must stop soon after `signal` aborts. */
  iterate: (signal: AbortSignal) => Promise<void>;
  /** Called with the worker type whose grown demand starts an iteration early. */
  onEarlyIteration?: (workerType: string) => void;
  /**
   * Called when this process becomes leader, before its first iteration (to take a new fencing epoch; caches
   * written by an earlier leader are stale). If it fails, the lock is given up and taken again later.
   */
  onLeadership?: (lock: HeldLock) => Promise<void> | void;
  /** Called as soon as this process loses (or gives up) the leadership: what it reported as leader is no longer its own. */
  onLeadershipLost?: () => void;
}

/**
 * Runs iterations one at a time, only while holding the leader lock. Never two iterations at once (in this
 * process, and across processes through the lock); an iteration that fails is logged and the next one
 * comes at its time.
 */
export class LoopRunner {
  private stopping = false;
  private readonly stopController = new AbortController();
  private lock: HeldLock | null = null;
  private running: Promise<void> | undefined;

  constructor(private readonly options: LoopRunnerOptions) {}

  get isLeader(): boolean {
    return this.lock?.isHeld() ?? false;
  }

  start(): void {
    this.running ??= this.loop();
  }

  /** Stops after the current iteration (aborting it) and releases leadership. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.stopController.abort(new Error('the loop is stopping'));
    await this.running;
    await this.lock?.release();
    this.lock = null;
  }

  private async loop(): Promise<void> {
    const { clock, intervalMs } = this.options;
    while (!this.stopping) {
      if (!(await this.lead())) {
        await this.pause(this.options.standbyPollMs ?? intervalMs / 2);
        continue;
      }
      // Asked to stop while taking the lock: no iteration that would only be aborted.
      if (this.stopping) break;
      const lastStart = clock.now();
      await this.iterateOnce(this.lock);
      const { demandCheck } = this.options;
      const signal = this.stopController.signal;
      const next = await untilNextIteration({ clock, lastStart, intervalMs, demandCheck, signal });
      if (next.early !== null) {
        this.options.logger.info({ event: 'loop.early-iteration', workerType: next.early });
        this.options.onEarlyIteration?.(next.early);
      }
    }
  }

  /** True when this process holds (or just took) the leader lock. */
  private async lead(): Promise<boolean> {
    if (this.lock?.isHeld()) return true;
    if (this.lock) {
      this.options.logger.warn({ event: 'loop.leadership-lost' });
      // Ends its session if it still lingers (lost to a silent heartbeat, not a closed connection).
      await this.lock.release().catch(() => {});
      this.lock = null;
    }
    try {
      this.lock = await this.options.db.tryLock(LEADER_LOCK_KEY);
    } catch (error) {
      this.options.logger.error({ event: 'loop.leader-lock-failed', err: error });
      return false;
    }
    if (!this.lock) return false;
    try {
      await this.options.onLeadership?.(this.lock);
      if (!this.lock.isHeld()) throw new Error('the leader lock was lost while taking the leadership');
    } catch (error) {
      this.options.logger.error({ event: 'loop.leader-lock-failed', err: error });
      await this.lock.release();
      this.lock = null;
      return false;
    }
    this.options.logger.info({ event: 'loop.leadership-acquired' });
    const { onLeadershipLost } = this.options;
    if (onLeadershipLost) this.lock.lost.addEventListener('abort', () => onLeadershipLost(), { once: true });
    return true;
  }

  /** One iteration, aborted when it runs too long, when the loop stops, or when leadership is lost. */
  private async iterateOnce(lock: HeldLock | null): Promise<void> {
    const controller = new AbortController();
    // Every concurrent EC2 call and queue question listens on it (and stops listening when done): Node's
    // leak warning at 11 listeners would be a false alarm.
    setMaxListeners(0, controller.signal);
    const cancelTimer = this.options.clock.setTimer(this.options.maxIterationMs, () =>
      controller.abort(new Error(`the iteration ran longer than ${this.options.maxIterationMs} ms`)),
    );
    const aborters = [this.stopController.signal, ...(lock ? [lock.lost] : [])].map((signal) => {
      const onAbort = () => controller.abort(signal.reason);
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
      return () => signal.removeEventListener('abort', onAbort);
    });
    try {
      await this.options.iterate(controller.signal);
    } catch (error) {
      this.options.logger.error({ event: 'loop.iteration-failed', err: error });
    } finally {
      cancelTimer();
      for (const remove of aborters) remove();
    }
  }

  private async pause(ms: number): Promise<void> {
    await this.options.clock.sleep(ms, this.stopController.signal).catch(() => {});
  }
}
