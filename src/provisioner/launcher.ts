import type { Clock } from '../clock/clock.js';
import type { PlannedLaunch } from '../domain/offers.js';
import type { WorkerType } from '../domain/worker-type.js';
import { isTransient } from '../ec2/classify-ec2-error.js';
import { Ec2Error, type Ec2Port, type Market } from '../ec2/ec2-port.js';
import type { OutboxWriter } from '../events/outbox-writer.js';
import type { Logger } from '../log/logger.js';
import type { Database, Queryable } from '../store/database.js';
import type { LaunchRecord, LaunchStore, LaunchSummary, NewLaunch } from '../store/launch-store.js';
import type { LeaderFence } from '../store/leader-fence.js';
import type { NewSecret, SecretStore } from '../store/secret-store.js';
import type { WorkerTypeStore } from '../store/worker-type-store.js';
import { KeyPairRepair } from './key-pair-repair.js';
import { prepareLaunch } from './prepare-launch.js';

export interface LauncherOptions {
  provisionerId: string;
  awsKeyPrefix: string;
  awsInstancePubkey: string | undefined;
  provisionerBaseUrl: string;
  taskclusterRootUrl: string;
  secretLifetimeMs: number;
}

export interface LauncherDeps {
  db: Database;
  ec2: Ec2Port;
  launches: LaunchStore;
  secrets: SecretStore;
  workerTypes: Pick<WorkerTypeStore, 'isCurrent'>;
  fence: Pick<LeaderFence, 'holds'>;
  outbox: OutboxWriter;
  clock: Clock;
  logger: Logger;
  options: LauncherOptions;
}

/**
 * `launched`: EC2 has the instance; `failed`: it never will; `deferred`: unknown, retried next iteration, or
 * `notRecorded` (nothing written, no secret made: planned afresh next iteration).
 */
export type LaunchResult =
  | { outcome: 'launched'; instanceId: string }
  | { outcome: 'failed'; kind: Ec2Error['kind']; code: string }
  | { outcome: 'deferred'; reason: string; notRecorded?: true };

/** Recording a worker type's launches failed: nothing was recorded, so no secret was issued nor call made. */
export class LaunchesNotRecorded extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'LaunchesNotRecorded';
  }
}

/** A launch recorded by an earlier iteration, and what this one made of it. */
export interface SettledLaunch {
  launch: LaunchSummary;
  result: LaunchResult;
}

/**
 * Launches instances safely: launches and their single-use secrets are recorded in one transaction
 * **before** the EC2 calls, each under a client token EC2 deduplicates. A call whose outcome is unknown
 * stays recorded and is retried identically next iteration, so a crash or a timeout never launches twice
 * and never leaks a secret. A worker type's launches of one pass share their transactions (one to record
 * them, one to mark those EC2 accepted), so the database work does not grow with each launch.
 */
export class Launcher {
  private readonly keyPairs: KeyPairRepair;

  constructor(private readonly deps: LauncherDeps) {
    this.keyPairs = new KeyPairRepair(deps.ec2, deps.logger, deps.options.awsInstancePubkey);
  }

  /**
   * Launches a worker type's planned instances; results in the order planned. When `signal` aborts (the
   * iteration ran out of time, or leadership was lost), launches not yet recorded are not, and calls not yet
   * answered stop: their outcome is unknown, and their record settles it next iteration (the retry reuses
   * the client token, so EC2 never launches one twice).
   */
  async launchAll(
    workerType: WorkerType,
    planned: readonly PlannedLaunch[],
    signal?: AbortSignal,
  ): Promise<LaunchResult[]> {
    if (planned.length === 0) return [];
    const now = new Date(this.deps.clock.now());
    const prepared = planned.map((p) => prepareLaunch(workerType, p, now, this.deps.options));
    const refusal = signal?.aborted
      ? `not launched: ${reasonOf(signal)}`
      : await this.deps.db
          .transaction((tx) => this.record(tx, workerType, prepared, now))
          .catch((error: unknown) => {
            throw new LaunchesNotRecorded(error);
          });
    if (refusal !== null) {
      return planned.map((): LaunchResult => ({ outcome: 'deferred', reason: refusal, notRecorded: true }));
    }
    return this.submitAll(
      prepared.map((p) => p.launch),
      signal,
    );
  }

  /** Records launches and their secrets, unless the leadership or the definition changed; then why not. */
  private async record(
    tx: Queryable,
    workerType: WorkerType,
    prepared: readonly { launch: NewLaunch; secret: NewSecret }[],
    now: Date,
  ): Promise<string | null> {
    // A former leader that has not noticed yet would launch for demand the new one covers too.
    if (!(await this.deps.fence.holds(tx))) return 'not launched: another process leads the loop now';
    // Planned from the definition the iteration read: one changed, removed or re-created since would
    // launch what nobody asks for any more (and a removal would not know to clean it up).
    if (!(await this.deps.workerTypes.isCurrent(tx, workerType.workerType, workerType.lastModified))) {
      return 'not launched: the worker type changed since this iteration read it; planned again next one';
    }
    await this.deps.secrets.insert(
      tx,
      prepared.map((p) => p.secret),
      now,
    );
    await this.deps.launches.record(
      tx,
      prepared.map((p) => p.launch),
      now,
    );
    return null;
  }

  /**
   * Settles launches recorded earlier (a crash or timeout): seen in EC2, retried, or abandoned once stale
   * or no longer `wanted` (its worker type removed, its region no longer allowed). Results come grouped:
   * those seen, those abandoned, then the retries.
   */
  async resolve(
    unresolved: readonly LaunchRecord[],
    visibleByToken: ReadonlyMap<string, string>,
    wanted: (launch: LaunchRecord) => boolean = () => true,
  ): Promise<SettledLaunch[]> {
    const now = this.deps.clock.now();
    const visible: Array<{ launch: LaunchRecord; instanceId: string }> = [];
    const retried: LaunchRecord[] = [];
    const abandoned: Array<{ launch: LaunchRecord; why: string }> = [];
    for (const launch of unresolved) {
      const instanceId = visibleByToken.get(launch.clientToken);
      if (instanceId) visible.push({ launch, instanceId });
      // Its secret has expired: an instance launched now could never bootstrap.
      else if (now - launch.createdAt > this.deps.options.secretLifetimeMs)
        abandoned.push({ launch, why: 'outcome unknown until its secret expired' });
      else if (!wanted(launch))
        abandoned.push({ launch, why: 'its worker type was removed or its region is no longer allowed' });
      else retried.push(launch);
    }
    // Launched before a crash or timeout: marked now, with the event the launch never got to write.
    await this.markLaunched(
      visible.map((v) => ({ launch: v.launch, instanceId: v.instanceId, zone: v.launch.zone })),
      new Date(now),
    );
    // 'unavailable': EC2 could not be reached, which is not the definition's fault (the breaker's concern).
    for (const { launch, why } of abandoned) {
      await this.fail(launch, new Ec2Error('unavailable', 'Abandoned', launch.region, 'RunInstances', why));
    }
    await this.deps.secrets.renewForLaunches(
      retried.map((l) => l.clientToken),
      new Date(now + this.deps.options.secretLifetimeMs),
    );
    const retriedResults = await this.submitAll(retried);
    return [
      ...visible.map(
        ({ launch, instanceId }): SettledLaunch => ({
          launch: summaryOf(launch),
          result: { outcome: 'launched', instanceId },
        }),
      ),
      ...abandoned.map(
        ({ launch }): SettledLaunch => ({
          launch: summaryOf(launch),
          result: { outcome: 'failed', kind: 'unavailable', code: 'Abandoned' },
        }),
      ),
      ...retried.map(
        (launch, index): SettledLaunch => ({
          launch: summaryOf(launch),
          // submitAll answers one result per launch, in order.
          result: retriedResults[index] ?? { outcome: 'deferred', reason: 'outcome unknown' },
        }),
      ),
    ];
  }

  /** Calls EC2 for each launch at once, then marks those it accepted in one transaction. */
  private async submitAll(launches: readonly NewLaunch[], signal?: AbortSignal): Promise<LaunchResult[]> {
    const calls = await Promise.all(launches.map((launch) => this.call(launch, signal)));
    const accepted = calls.flatMap((c) => (c.accepted ? [c.accepted] : []));
    await this.markLaunched(accepted, new Date(this.deps.clock.now()));
    return calls.map((c) => c.result);
  }

  /** One EC2 call; a failure that can never succeed is recorded here, a transient one left for a retry. */
  private async call(
    launch: NewLaunch,
    signal?: AbortSignal,
  ): Promise<{
    result: LaunchResult;
    accepted?: { launch: NewLaunch; instanceId: string; zone: string };
  }> {
    const { deps } = this;
    try {
      const { instanceId, zone } = await this.runInstance(launch, signal);
      return { result: { outcome: 'launched', instanceId }, accepted: { launch, instanceId, zone } };
    } catch (error) {
      if (signal?.aborted) {
        return { result: { outcome: 'deferred', reason: `outcome unknown: ${reasonOf(signal)}` } };
      }
      if (!(error instanceof Ec2Error)) throw error;
      if (isTransient(error)) {
        deps.logger.warn({
          event: 'loop.launch-deferred',
          workerType: launch.workerType,
          region: launch.region,
          reason: error.message,
        });
        return { result: { outcome: 'deferred', reason: error.message } };
      }
      await this.fail(launch, error);
      return { result: { outcome: 'failed', kind: error.kind, code: error.awsCode } };
    }
  }

  /** RunInstances, once more after making its key pair again if EC2 says it is missing. */
  private async runInstance(launch: NewLaunch, signal?: AbortSignal) {
    const options = signal ? { signal } : {};
    try {
      return await this.deps.ec2.runInstance(launch.request, options);
    } catch (error) {
      if (!(error instanceof Ec2Error) || error.awsCode !== 'InvalidKeyPair.NotFound') throw error;
      // A repair that fails leaves the launch failed for its missing key pair, the cause the owner can act on.
      const repaired = await this.keyPairs.repair(launch.region, launch.request.launchSpec.KeyName).then(
        () => true,
        (repairError: Error) => {
          this.deps.logger.warn({
            event: 'loop.key-pair-repair-failed',
            region: launch.region,
            err: repairError,
          });
          return false;
        },
      );
      if (!repaired) throw error;
      return this.deps.ec2.runInstance(launch.request, options);
    }
  }

  /** Marks launches submitted and writes their `instance-launched` events, in one transaction. */
  private async markLaunched(
    launched: readonly { launch: NewLaunch; instanceId: string; zone: string }[],
    now: Date,
  ): Promise<void> {
    if (launched.length === 0) return;
    const { deps } = this;
    const marked = await deps.db.transaction(async (tx) => {
      const marked = await deps.launches.markAllSubmitted(
        tx,
        launched.map((l) => ({ clientToken: l.launch.clientToken, instanceId: l.instanceId })),
        now,
      );
      await deps.outbox.enqueueEvents(
        tx,
        'instance-launched',
        launched
          .filter((l) => marked.has(l.launch.clientToken))
          .map(({ launch, instanceId, zone }) => ({
            version: 1 as const,
            workerType: launch.workerType,
            instanceId,
            region: launch.region,
            zone: zone || launch.zone,
            instanceType: launch.instanceType,
            market: launch.market as Market,
            price: launch.hourlyPrice,
            launchedAt: now.toISOString(),
          })),
        now,
      );
      return marked;
    });
    for (const { launch, instanceId } of launched) {
      if (!marked.has(launch.clientToken)) continue;
      deps.logger.info({
        event: 'loop.launched',
        workerType: launch.workerType,
        instanceId,
        region: launch.region,
        zone: launch.zone,
        instanceType: launch.instanceType,
        market: launch.market,
      });
    }
  }

  private async fail(launch: NewLaunch | LaunchRecord, error: Ec2Error): Promise<void> {
    const now = new Date(this.deps.clock.now());
    // Together or not at all: a failed launch with a redeemable secret would keep its credentials until expiry.
    const settledElsewhere = await this.deps.db.transaction(async (tx) => {
      const marked = await this.deps.launches.markFailed(
        tx,
        launch.clientToken,
        { kind: error.kind, code: error.awsCode, message: error.message },
        now,
      );
      if (marked) await this.deps.secrets.discardForLaunch(tx, launch.clientToken, now);
      return !marked;
    });
    if (settledElsewhere) return;
    this.deps.logger.warn({
      event: 'loop.launch-failed',
      workerType: launch.workerType,
      region: launch.region,
      zone: launch.zone,
      instanceType: launch.instanceType,
      kind: error.kind,
      code: error.awsCode,
      reason: error.message,
    });
  }
}

function reasonOf(signal: AbortSignal): string {
  return (signal.reason as Error | undefined)?.message ?? 'aborted';
}

/** Without its request: the user data in it holds the instance's securityToken. */
function summaryOf({ request: _request, ...summary }: LaunchRecord): LaunchSummary {
  return summary;
}
