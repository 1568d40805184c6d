import { dryRunSucceeded, Ec2ApiError, ec2Error, instancesNotFound } from './ec2-api-error.js';
import type { InstanceLifecycle } from './instance-lifecycle.js';
import { checkInstanceType, onDemandPrice, placeInstances } from './launch-planner.js';
import type { RegionStore } from './region-store.js';
import { stableJson, validCounts, validMaxPrice, validTags, validUserData } from './resource-validation.js';
import type { ZoneScenario } from './scenario.js';
import type { SpotRequestBook } from './spot-requests.js';
import { newResourceId, regionOf, type WorldContext } from './world-context.js';
import type { LaunchSpec, SimInstance, SimSpotRequest } from './world-records.js';

/** A launch specification as callers give it (names and ids not yet resolved). */
export interface LaunchSpecInput {
  imageId: string;
  instanceType: string;
  keyName?: string;
  securityGroupNames?: string[];
  securityGroupIds?: string[];
  /** Zone name. */
  zone?: string;
  /** Base64. */
  userData?: string;
  subnetId?: string;
}

export interface RunInstancesInput {
  spec: LaunchSpecInput;
  minCount: number;
  maxCount: number;
  market: 'spot' | 'on-demand';
  /** USD per hour; spot only; defaults to the on-demand price. */
  maxPrice?: number;
  clientToken?: string;
  instanceTags?: Record<string, string>;
  spotRequestTags?: Record<string, string>;
  /** Extra text a retry must repeat exactly (the HTTP layer passes all its parameters). */
  requestFingerprint?: string;
}

export interface RequestSpotInput {
  spec: LaunchSpecInput;
  instanceCount: number;
  maxPrice?: number;
  type?: 'one-time' | 'persistent';
  validUntil?: number;
  clientToken?: string;
  tags?: Record<string, string>;
  /** Extra text a retry must repeat exactly (the HTTP layer passes all its parameters). */
  requestFingerprint?: string;
}

export interface Reservation {
  reservationId: string;
  instances: SimInstance[];
}

/** RunInstances, RequestSpotInstances, TerminateInstances and CancelSpotInstanceRequests. */
export class LaunchService {
  constructor(
    private readonly context: WorldContext,
    private readonly lifecycle: InstanceLifecycle,
    private readonly spotRequests: SpotRequestBook,
  ) {}

  runInstances(region: string, input: RunInstancesInput, options: { dryRun?: boolean } = {}): Reservation {
    const store = regionOf(this.context, region);
    const { clientToken, ...compared } = input;
    const fingerprint = stableJson(compared);
    const remembered = clientToken === undefined ? undefined : store.runTokens.get(clientToken);
    if (remembered !== undefined) return this.replay(remembered, fingerprint);
    validCounts(input.minCount, input.maxCount);
    const spec = this.resolveSpec(store, input.spec);
    const instanceTags = validTags(input.instanceTags);
    const requestTags = validTags(input.spotRequestTags);
    const maxPrice = input.market === 'spot' ? this.maxPrice(store, spec, input.maxPrice) : undefined;
    if (options.dryRun) throw dryRunSucceeded();
    const placement = this.recordFailure(store, spec, () =>
      placeInstances(this.context, {
        store,
        instanceType: spec.instanceType,
        ...(spec.zone === undefined ? {} : { zone: spec.zone }),
        minCount: input.minCount,
        maxCount: input.maxCount,
        market: input.market,
        ...(maxPrice === undefined ? {} : { maxPrice }),
      }),
    );
    const reservationId = newResourceId(this.context, 'r', () => false);
    const instances = Array.from({ length: placement.count }, (_, index) =>
      this.launchOne(store, spec, placement.zone, {
        reservationId,
        amiLaunchIndex: index,
        market: input.market,
        ...(maxPrice === undefined ? {} : { maxPrice }),
        ...(clientToken === undefined ? {} : { clientToken }),
        instanceTags,
        requestTags,
      }),
    );
    const reservation = { reservationId, instances };
    if (clientToken !== undefined) store.runTokens.set(clientToken, { fingerprint, result: reservation });
    return reservation;
  }

  /** One instance of a reservation; spot ones get their own fulfilled one-time request. */
  private launchOne(
    store: RegionStore,
    spec: LaunchSpec,
    zone: ZoneScenario,
    launch: {
      reservationId: string;
      amiLaunchIndex: number;
      market: 'spot' | 'on-demand';
      maxPrice?: number;
      clientToken?: string;
      instanceTags: Map<string, string>;
      requestTags: Map<string, string>;
    },
  ): SimInstance {
    const { maxPrice } = launch;
    const request =
      maxPrice === undefined
        ? undefined
        : this.spotRequests.fulfilled(store, {
            spec,
            maxPrice,
            type: 'one-time',
            tags: new Map(launch.requestTags),
          });
    const instance = this.lifecycle.launch({
      store,
      spec,
      zone,
      reservationId: launch.reservationId,
      amiLaunchIndex: launch.amiLaunchIndex,
      market: launch.market,
      ...(request === undefined ? {} : { spotRequestId: request.spotRequestId, maxPrice }),
      ...(launch.clientToken === undefined ? {} : { clientToken: launch.clientToken }),
      tags: new Map(launch.instanceTags),
    });
    if (request !== undefined) {
      request.instanceId = instance.instanceId;
      request.launchedZone = zone.name;
    }
    return instance;
  }

  requestSpotInstances(
    region: string,
    input: RequestSpotInput,
    options: { dryRun?: boolean } = {},
  ): SimSpotRequest[] {
    const store = regionOf(this.context, region);
    const { clientToken, ...compared } = input;
    const fingerprint = stableJson(compared);
    const remembered = clientToken === undefined ? undefined : store.spotTokens.get(clientToken);
    if (remembered !== undefined) return this.replay(remembered, fingerprint);
    validCounts(input.instanceCount, input.instanceCount);
    const spec = this.resolveSpec(store, input.spec);
    const maxPrice = this.maxPrice(store, spec, input.maxPrice);
    const tags = validTags(input.tags);
    if (store.spotInUse + input.instanceCount > this.context.scenario.limits.maxSpotInstancesPerRegion) {
      throw ec2Error('MaxSpotInstanceCountExceeded', 'Max spot instance count exceeded');
    }
    if (options.dryRun) throw dryRunSucceeded();
    const requests = Array.from({ length: input.instanceCount }, () =>
      this.spotRequests.open(store, {
        spec,
        maxPrice,
        type: input.type ?? 'one-time',
        ...(input.validUntil === undefined ? {} : { validUntil: input.validUntil }),
        ...(clientToken === undefined ? {} : { clientToken }),
        tags: new Map(tags),
      }),
    );
    if (clientToken !== undefined) store.spotTokens.set(clientToken, { fingerprint, result: requests });
    return requests;
  }

  /** Every id must exist (and be visible) before any is terminated. */
  terminateInstances(region: string, instanceIds: readonly string[], options: { dryRun?: boolean } = {}) {
    const store = regionOf(this.context, region);
    const now = this.context.clock.now();
    const missing = instanceIds.filter((id) => store.visibleInstance(id, now) === undefined);
    if (missing.length > 0) throw instancesNotFound(missing);
    if (options.dryRun) throw dryRunSucceeded();
    return instanceIds.map((id) => {
      const instance = store.visibleInstance(id, now) as SimInstance;
      const previous = this.lifecycle.terminate(instance, 'user');
      return { instance, previous };
    });
  }

  cancelSpotInstanceRequests(
    region: string,
    requestIds: readonly string[],
    options: { dryRun?: boolean } = {},
  ) {
    const store = regionOf(this.context, region);
    const now = this.context.clock.now();
    const missing = requestIds.find((id) => store.visibleSpotRequest(id, now) === undefined);
    if (missing !== undefined) {
      throw ec2Error(
        'InvalidSpotInstanceRequestID.NotFound',
        `The spot instance request ID '${missing}' does not exist`,
      );
    }
    if (options.dryRun) throw dryRunSucceeded();
    return requestIds.map((id) => {
      const request = store.visibleSpotRequest(id, now) as SimSpotRequest;
      return { spotRequestId: id, state: this.spotRequests.cancel(store, request) };
    });
  }

  private replay<T>(remembered: { fingerprint: string; result: T }, fingerprint: string): T {
    if (remembered.fingerprint !== fingerprint) {
      throw ec2Error(
        'IdempotentParameterMismatch',
        'Arguments on this idempotent request are inconsistent with arguments used in previous request(s).',
      );
    }
    return remembered.result;
  }

  private resolveSpec(store: RegionStore, input: LaunchSpecInput): LaunchSpec {
    store.image(input.imageId);
    if (input.zone !== undefined) store.zone(input.zone);
    checkInstanceType(this.context, store, input.instanceType, input.zone);
    if (input.keyName !== undefined) store.keyPair(input.keyName);
    const userData = validUserData(input.userData);
    return {
      imageId: input.imageId,
      instanceType: input.instanceType,
      ...(input.keyName === undefined ? {} : { keyName: input.keyName }),
      securityGroups: store.resolveSecurityGroups(
        input.securityGroupNames ?? [],
        input.securityGroupIds ?? [],
      ),
      ...(input.zone === undefined ? {} : { zone: input.zone }),
      ...(userData === undefined ? {} : { userData }),
      ...(input.subnetId === undefined ? {} : { subnetId: input.subnetId }),
    };
  }

  private maxPrice(store: RegionStore, spec: LaunchSpec, given: number | undefined): number {
    return given === undefined
      ? onDemandPrice(this.context, store.name, spec.instanceType)
      : validMaxPrice(given, 'SpotPrice');
  }

  private recordFailure<T>(store: RegionStore, spec: LaunchSpec, place: () => T): T {
    try {
      return place();
    } catch (error) {
      if (error instanceof Ec2ApiError) {
        this.context.events.record('launch-failed', {
          region: store.name,
          instanceType: spec.instanceType,
          zone: spec.zone ?? null,
          code: error.code,
        });
      }
      throw error;
    }
  }
}
