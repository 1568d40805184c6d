import type { Clock } from '../clock/clock.js';
import { keyPairName, parseKeyPairName } from '../domain/key-pair-name.js';
import type { Cancellation, InstanceFact, RemovalFinished, Termination } from '../domain/plan-types.js';
import { WORKER_TYPE_NAME } from '../domain/worker-type.js';
import type { Ec2Port } from '../ec2/ec2-port.js';
import type { TerminationReason } from '../events/event-schemas.js';
import type { OutboxWriter } from '../events/outbox-writer.js';
import type { Logger } from '../log/logger.js';
import type { Database, Queryable } from '../store/database.js';
import type { IterationStore } from '../store/iteration-store.js';
import type { LeaderFence } from '../store/leader-fence.js';
import type { RemovalStore } from '../store/removal-store.js';
import type { WorkerTypeStore } from '../store/worker-type-store.js';

export interface HousekeeperDeps {
  db: Database;
  ec2: Ec2Port;
  iterations: IterationStore;
  removals: RemovalStore;
  /** Asked again just before deleting a removed worker type's key pairs: it may have been re-created. */
  workerTypes: Pick<WorkerTypeStore, 'get'>;
  /**
   * Checked before each region's batch: a former leader that has not noticed yet would act on a fleet the
   * new leader already plans for (terminating what it keeps, deleting key pairs it relies on).
   */
  fence: Pick<LeaderFence, 'holds'>;
  outbox: OutboxWriter;
  clock: Clock;
  logger: Logger;
  awsKeyPrefix: string;
}

export interface WorkerTypeTermination extends Termination {
  workerType: string;
  instance: InstanceFact | undefined;
}

export interface HousekeepingReport {
  errors: string[];
  /** The ids EC2 accepted to act on. */
  done: string[];
}

/** The plan's reasons in the vocabulary of the `instance-terminated` event. */
const EVENT_REASON: Record<Termination['reason'], TerminationReason> = {
  'worker-type-removed': 'worker-type-removed',
  rogue: 'rogue',
  zombie: 'zombie',
  'surplus-pending-instance': 'scale-down',
};

/**
 * Carries out the plan's terminations and cancellations, region by region in batches, records which
 * instances this service terminated (so their deaths are never held against their worker type), publishes
 * `instance-terminated`, and finishes removals by deleting their key pairs.
 */
export class Housekeeper {
  constructor(private readonly deps: HousekeeperDeps) {}

  /**
   * When `signal` aborts, calls not yet answered stop: what they left is planned again next iteration.
   * The report's `done` lists the instances EC2 accepted to terminate.
   */
  async terminate(
    terminations: readonly WorkerTypeTermination[],
    signal?: AbortSignal,
  ): Promise<HousekeepingReport> {
    const done: string[] = [];
    const errors = await this.perRegion(terminations, 'terminated', 'instances', async (region, batch) => {
      const now = new Date(this.deps.clock.now());
      const ids = batch.map((t) => t.instanceId);
      // Recorded first, with its event: a death seen before the call returns must never count against the
      // worker type, and an event written after the call would be lost with an answer that never came.
      await this.deps.db.transaction(async (tx) => {
        await this.assertLeads(tx);
        const recorded = await this.deps.iterations.recordTerminations(
          batch.map((t) => ({
            instanceId: t.instanceId,
            workerType: t.workerType,
            region,
            reason: t.reason,
          })),
          now,
          tx,
        );
        // Asked again (EC2 still showed it live): announced the first time only.
        await this.announce(
          tx,
          batch.filter((t) => recorded.has(t.instanceId)),
          now,
        );
      });
      // Kept when the call fails (EC2 may have acted before its answer was lost): an instance it did not
      // terminate is described live next iteration, counted again and terminated again.
      await this.deps.ec2.terminateInstances(region, ids, signal ? { signal } : {});
      done.push(...ids);
    });
    return { errors, done };
  }

  async cancel(cancellations: readonly Cancellation[], signal?: AbortSignal): Promise<HousekeepingReport> {
    const done: string[] = [];
    const errors = await this.perRegion(
      cancellations,
      'cancelled',
      'spot requests',
      async (region, batch) => {
        const ids = batch.map((c) => c.spotRequestId);
        await this.deps.db.transaction((tx) => this.assertLeads(tx));
        await this.deps.ec2.cancelSpotRequests(region, ids, signal ? { signal } : {});
        done.push(...ids);
      },
    );
    return { errors, done };
  }

  /** Acts on each region's batch concurrently; a region that fails is reported, never thrown. */
  private async perRegion<T extends { region: string; reason: string }>(
    items: readonly T[],
    done: 'terminated' | 'cancelled',
    what: string,
    act: (region: string, batch: T[]) => Promise<void>,
  ): Promise<string[]> {
    const messages: string[] = [];
    await Promise.all(
      [...groupByRegion(items)].map(async ([region, batch]) => {
        try {
          await act(region, batch);
          this.deps.logger.info({
            event: `loop.${done}`,
            region,
            count: batch.length,
            reasons: countReasons(batch),
          });
        } catch (error) {
          messages.push(
            `${done === 'terminated' ? 'terminating' : 'cancelling'} ${batch.length} ${what} in ${region}: ${(error as Error).message}`,
          );
        }
      }),
    );
    return messages;
  }

  /** Deletes the key pairs of finished removals (unless re-created) and marks them done. */
  async finishRemovals(finished: readonly RemovalFinished[], regions: readonly string[]) {
    const errors: string[] = [];
    if (finished.length > 0) {
      try {
        await this.deps.db.transaction((tx) => this.assertLeads(tx));
      } catch (error) {
        return [`finishing ${finished.length} removal(s): ${(error as Error).message}`];
      }
    }
    for (const removal of finished) {
      try {
        // Decided now, not from the plan: it read the definitions at the iteration's start, in a query of its
        // own, so a worker type re-created or removed since would keep or lose key pairs wrongly.
        if (!(await this.deps.workerTypes.get(removal.workerType))) {
          await Promise.all(regions.map((region) => this.deleteKeyPairs(region, removal.workerType)));
        }
        await this.deps.removals.finish(removal.workerType, removal.requestedAt);
        this.deps.logger.info({ event: 'loop.removal-finished', workerType: removal.workerType });
      } catch (error) {
        const message = (error as Error).message;
        await this.deps.removals.recordFailure(removal.workerType, message);
        errors.push(`finishing the removal of ${removal.workerType}: ${message}`);
      }
    }
    return errors;
  }

  /**
   * Every key pair of the worker type, not only the current key's: instances launched before the instance
   * public key changed (or was first set) used a key pair under another name.
   */
  private async deleteKeyPairs(region: string, workerType: string): Promise<void> {
    const base = keyPairName(this.deps.awsKeyPrefix, workerType, undefined);
    const names = await this.deps.ec2.keyPairNames(region, [base, `${base}:*`]);
    const ours = names.filter((name) => parseKeyPairName(this.deps.awsKeyPrefix, name) === workerType);
    await Promise.all(ours.map((name) => this.deps.ec2.deleteKeyPair(region, name)));
  }

  private async assertLeads(tx: Queryable): Promise<void> {
    if (!(await this.deps.fence.holds(tx))) throw new Error('another process leads the loop now');
  }

  private async announce(tx: Queryable, batch: readonly WorkerTypeTermination[], now: Date): Promise<void> {
    // Events need a valid worker type name; untagged or oddly tagged rogues get none.
    for (const t of batch) {
      if (!t.instance || !WORKER_TYPE_NAME.test(t.workerType)) continue;
      const { zone, instanceType, market } = t.instance;
      await this.deps.outbox.enqueueEvent(
        tx,
        'instance-terminated',
        {
          version: 1,
          workerType: t.workerType,
          instanceId: t.instanceId,
          region: t.region,
          zone,
          instanceType,
          market,
          reason: EVENT_REASON[t.reason],
          terminatedAt: now.toISOString(),
        },
        now,
      );
    }
  }
}

function groupByRegion<T extends { region: string }>(items: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(item.region, [...(groups.get(item.region) ?? []), item]);
  return groups;
}

function countReasons(items: readonly { reason: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { reason } of items) counts[reason] = (counts[reason] ?? 0) + 1;
  return counts;
}
