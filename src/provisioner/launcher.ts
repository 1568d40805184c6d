import type { Clock } from '../clock/clock.js';
import { keyPairName } from '../domain/key-pair-name.js';
import { buildLaunchSpec } from '../domain/launch-spec.js';
import { type PlannedLaunch, toLaunchOffer } from '../domain/offers.js';
import type { WorkerType } from '../domain/worker-type.js';
import { isTransient } from '../ec2/classify-ec2-error.js';
import { Ec2Error, type Ec2Port, type LaunchRequest, type Market } from '../ec2/ec2-port.js';
import type { OutboxWriter } from '../events/outbox-writer.js';
import type { Logger } from '../log/logger.js';
import { slugid } from '../slugid.js';
import type { Database } from '../store/database.js';
import type { LaunchRecord, LaunchStore, NewLaunch } from '../store/launch-store.js';
import type { SecretStore } from '../store/secret-store.js';
import type { CapacityFailures } from './capacity-failures.js';
import { launchTags } from './observe-fleet.js';

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
  outbox: OutboxWriter;
  capacityFailures: CapacityFailures;
  clock: Clock;
  logger: Logger;
  options: LauncherOptions;
}

/** `launched`: EC2 has the instance; `failed`: it never will; `deferred`: unknown, retried next iteration. */
export type LaunchResult =
  | { outcome: 'launched'; instanceId: string }
  | { outcome: 'failed'; kind: Ec2Error['kind']; code: string }
  | { outcome: 'deferred'; reason: string };

/**
 * Launches instances safely: each launch and its single-use secret are recorded in one transaction
 * **before** the EC2 call, under a client token EC2 deduplicates. A call whose outcome is unknown stays
 * recorded and is retried identically next iteration, so a crash or a timeout never launches twice and
 * never leaks a secret.
 */
export class Launcher {
  constructor(private readonly deps: LauncherDeps) {}

  async launch(workerType: WorkerType, planned: PlannedLaunch): Promise<LaunchResult> {
    const { options, clock } = this.deps;
    const now = new Date(clock.now());
    const securityToken = slugid();
    const clientToken = slugid();
    const info = buildLaunchSpec({
      definition: workerType,
      workerType: workerType.workerType,
      lastModified: workerType.lastModified,
      offer: toLaunchOffer(planned),
      keyName: keyPairName(options.awsKeyPrefix, workerType.workerType, options.awsInstancePubkey),
      provisionerId: options.provisionerId,
      provisionerBaseUrl: options.provisionerBaseUrl,
      taskclusterRootUrl: options.taskclusterRootUrl,
      securityToken,
      now: now.getTime(),
    });
    const request: LaunchRequest = {
      region: planned.region,
      clientToken,
      launchSpec: info.launchSpec,
      market: planned.market,
      ...(planned.maxPrice !== null ? { maxPrice: planned.maxPrice } : {}),
      tags: launchTags(options.provisionerId, workerType.workerType),
    };
    const launch: NewLaunch = {
      clientToken,
      workerType: workerType.workerType,
      region: planned.region,
      zone: planned.zone,
      instanceType: planned.instanceType,
      market: planned.market,
      maxPrice: planned.maxPrice,
      hourlyPrice: planned.price,
      capacity: planned.capacity,
      request,
    };
    await this.deps.db.transaction(async (tx) => {
      await this.deps.secrets.insert(
        tx,
        {
          token: securityToken,
          launchToken: clientToken,
          workerType: workerType.workerType,
          secrets: info.secrets,
          scopes: [],
          expiration: new Date(now.getTime() + options.secretLifetimeMs),
        },
        now,
      );
      await this.deps.launches.record(tx, launch, now);
    });
    return this.submit(launch);
  }

  /** Settles launches recorded earlier (a crash or timeout): seen in EC2, retried, or abandoned once stale. */
  async resolve(
    unresolved: readonly LaunchRecord[],
    visibleByToken: ReadonlyMap<string, string>,
  ): Promise<LaunchResult[]> {
    const now = this.deps.clock.now();
    return Promise.all(
      unresolved.map(async (launch): Promise<LaunchResult> => {
        const instanceId = visibleByToken.get(launch.clientToken);
        if (instanceId) {
          await this.deps.launches.markSubmitted(launch.clientToken, instanceId, new Date(now));
          return { outcome: 'launched', instanceId };
        }
        // Its secret has expired: an instance launched now could never bootstrap.
        if (now - launch.createdAt > this.deps.options.secretLifetimeMs) {
          await this.fail(
            launch,
            new Ec2Error('unknown', 'Abandoned', launch.region, 'RunInstances', 'outcome unknown'),
          );
          return { outcome: 'failed', kind: 'unknown', code: 'Abandoned' };
        }
        return this.submit(launch);
      }),
    );
  }

  private async submit(launch: NewLaunch): Promise<LaunchResult> {
    const { deps } = this;
    try {
      const result = await deps.ec2.runInstance(launch.request);
      const now = new Date(deps.clock.now());
      await deps.db.transaction(async (tx) => {
        await deps.launches.markSubmitted(launch.clientToken, result.instanceId, now, tx);
        await deps.outbox.enqueueEvent(
          tx,
          'instance-launched',
          {
            version: 1,
            workerType: launch.workerType,
            instanceId: result.instanceId,
            region: launch.region,
            zone: result.zone || launch.zone,
            instanceType: launch.instanceType,
            market: launch.market as Market,
            price: launch.hourlyPrice,
            launchedAt: now.toISOString(),
          },
          now,
        );
      });
      deps.logger.info({
        event: 'loop.launched',
        workerType: launch.workerType,
        instanceId: result.instanceId,
        region: launch.region,
        zone: launch.zone,
        instanceType: launch.instanceType,
        market: launch.market,
      });
      return { outcome: 'launched', instanceId: result.instanceId };
    } catch (error) {
      if (!(error instanceof Ec2Error)) throw error;
      if (isTransient(error)) {
        deps.logger.warn({
          event: 'loop.launch-deferred',
          workerType: launch.workerType,
          region: launch.region,
          reason: error.message,
        });
        return { outcome: 'deferred', reason: error.message };
      }
      await this.fail(launch, error);
      return { outcome: 'failed', kind: error.kind, code: error.awsCode };
    }
  }

  private async fail(launch: NewLaunch | LaunchRecord, error: Ec2Error): Promise<void> {
    const now = new Date(this.deps.clock.now());
    await this.deps.launches.markFailed(
      launch.clientToken,
      { kind: error.kind, code: error.awsCode, message: error.message },
      now,
    );
    await this.deps.secrets.discardForLaunch(launch.clientToken, now);
    this.deps.capacityFailures.record(
      {
        region: launch.region,
        zone: launch.zone,
        instanceType: launch.instanceType,
        market: launch.market as Market,
      },
      error.kind,
      `${error.awsCode}: ${error.message}`,
    );
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
