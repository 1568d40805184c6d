import type { InstanceCatalog } from '../../catalog/instance-catalog.js';
import type { Clock } from '../../clock/clock.js';
import type { Ec2Instance } from '../../ec2/ec2-port.js';
import { Random } from '../random.js';
import type { CapacityPools } from './capacity-pools.js';
import { ec2Error } from './ec2-api-error.js';
import type { EventLog } from './event-log.js';
import type { RegionStore } from './region-store.js';
import type { DelayRange, Ec2Scenario } from './scenario.js';
import type { SpotMarket } from './spot-market.js';
import type { SimInstance, SimSpotRequest, StateReason } from './world-records.js';

/** What an in-process observer (a simulated worker, a queue simulator) hears about instances. */
export type InstanceHookEvent =
  | { type: 'running'; instance: Ec2Instance }
  | { type: 'interruption-warning'; instance: Ec2Instance; terminateAt: number }
  | { type: 'shutting-down'; instance: Ec2Instance; reason: StateReason }
  | { type: 'terminated'; instance: Ec2Instance; reason: StateReason };

export type InstanceListener = (event: InstanceHookEvent) => void;

/** Independent random streams, so one kind of draw never shifts another. */
export class WorldRandom {
  readonly ids: Random;
  readonly delays: Random;
  readonly interruptions: Random;
  readonly faults: Random;
  readonly requestIds: Random;

  constructor(seed: number | string) {
    this.ids = Random.stream(seed, 'ids');
    this.delays = Random.stream(seed, 'delays');
    this.interruptions = Random.stream(seed, 'interruptions');
    this.faults = Random.stream(seed, 'faults');
    this.requestIds = Random.stream(seed, 'request-ids');
  }

  delay(range: DelayRange): number {
    return Math.round(this.delays.between(range.minMs, range.maxMs));
  }
}

/** The parts of the world its collaborators share. */
export interface WorldContext {
  clock: Clock;
  scenario: Ec2Scenario;
  catalog: InstanceCatalog;
  events: EventLog;
  market: SpotMarket;
  pools: CapacityPools;
  random: WorldRandom;
  regions: Map<string, RegionStore>;
  instancesById: Map<string, SimInstance>;
  spotRequestsById: Map<string, SimSpotRequest>;
  emit(event: InstanceHookEvent): void;
}

/** Longest single wait handed to a clock: Node's setTimeout fires at once beyond 2^31-1 ms (24.8 days). */
const MAX_TIMER_MS = 20 * 24 * 3600_000;

/** `clock.setTimer` for waits of any length (months-away interruptions), chained in safe steps. */
export function setLongTimer(clock: Clock, ms: number, fn: () => void): () => void {
  let cancel = () => {};
  const arm = (remaining: number) => {
    cancel =
      remaining > MAX_TIMER_MS
        ? clock.setTimer(MAX_TIMER_MS, () => arm(remaining - MAX_TIMER_MS))
        : clock.setTimer(remaining, fn);
  };
  arm(ms);
  return () => cancel();
}

export function regionOf(context: WorldContext, region: string): RegionStore {
  const store = context.regions.get(region);
  if (store === undefined) {
    throw ec2Error(
      'AuthFailure',
      `AWS was not able to validate the provided access credentials (region ${region})`,
    );
  }
  return store;
}

/** A fresh id `<prefix>-<17 hex>` not used by any resource yet. */
export function newResourceId(context: WorldContext, prefix: string, taken: (id: string) => boolean): string {
  for (;;) {
    const id = `${prefix}-${context.random.ids.hex(17)}`;
    if (!taken(id)) return id;
  }
}

export function tagsRecord(tags: Map<string, string>): Record<string, string> {
  return Object.fromEntries(tags);
}

/** A plain snapshot of an instance in the vocabulary of the provisioner's EC2 port. */
export function instanceSnapshot(instance: SimInstance): Ec2Instance {
  return {
    instanceId: instance.instanceId,
    region: instance.region,
    zone: instance.zone,
    instanceType: instance.instanceType,
    imageId: instance.imageId,
    state: instance.state,
    launchTime: instance.launchTime,
    market: instance.market,
    ...(instance.spotRequestId === undefined ? {} : { spotRequestId: instance.spotRequestId }),
    ...(instance.clientToken === undefined ? {} : { clientToken: instance.clientToken }),
    tags: tagsRecord(instance.tags),
    ...(instance.stateReason === undefined ? {} : { stateReason: { ...instance.stateReason } }),
  };
}
