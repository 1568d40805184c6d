import type { RegionStore } from './region-store.js';
import type { ZoneScenario } from './scenario.js';
import { instanceSnapshot, newResourceId, setLongTimer, type WorldContext } from './world-context.js';
import {
  type LaunchSpec,
  type SimInstance,
  STATE_REASONS,
  type StateReason,
  type Tags,
  type TerminationCause,
} from './world-records.js';

export interface NewInstance {
  store: RegionStore;
  spec: LaunchSpec;
  zone: ZoneScenario;
  reservationId: string;
  amiLaunchIndex: number;
  market: 'spot' | 'on-demand';
  spotRequestId?: string;
  maxPrice?: number;
  clientToken?: string;
  tags: Tags;
}

const REASON_BY_CAUSE: Record<TerminationCause, StateReason> = {
  user: STATE_REASONS.userInitiated,
  instance: STATE_REASONS.instanceInitiated,
  'spot-price': STATE_REASONS.spotTermination,
  'spot-capacity': STATE_REASONS.spotTermination,
};

/** `2024-01-01 00:00:00 GMT`, as EC2 writes times into StateTransitionReason. */
function gmt(time: number): string {
  return `${new Date(time).toISOString().slice(0, 19).replace('T', ' ')} GMT`;
}

/** Moves instances through pending -> running -> shutting-down -> terminated -> gone, on the world's clock. */
export class InstanceLifecycle {
  /** Called when a spot instance starts shutting down (its request's state follows). */
  onSpotInstanceEnded: (instance: SimInstance, cause: TerminationCause) => void = () => {};
  private nextSeq = 1;

  constructor(private readonly context: WorldContext) {}

  launch(request: NewInstance): SimInstance {
    const { clock, random, scenario, events, pools, catalog } = this.context;
    const now = clock.now();
    const instanceId = newResourceId(this.context, 'i', (id) => this.context.instancesById.has(id));
    const instance: SimInstance = {
      seq: this.nextSeq++,
      instanceId,
      reservationId: request.reservationId,
      region: request.store.name,
      zone: request.zone.name,
      zoneId: request.zone.id,
      instanceType: request.spec.instanceType,
      imageId: request.spec.imageId,
      ...(request.spec.keyName === undefined ? {} : { keyName: request.spec.keyName }),
      securityGroups: request.spec.securityGroups,
      subnetId: request.spec.subnetId ?? defaultSubnet(request.zone.id),
      vpcId: request.store.vpcId,
      privateIp: `172.31.${random.ids.int(256)}.${1 + random.ids.int(254)}`,
      state: 'pending',
      stateTransitionReason: '',
      launchTime: now,
      visibleAt: now + random.delay(scenario.delays.instanceVisibility),
      market: request.market,
      ...(request.spotRequestId === undefined ? {} : { spotRequestId: request.spotRequestId }),
      ...(request.maxPrice === undefined ? {} : { maxPrice: request.maxPrice }),
      ...(request.clientToken === undefined ? {} : { clientToken: request.clientToken }),
      amiLaunchIndex: request.amiLaunchIndex,
      tags: request.tags,
      ...(request.spec.userData === undefined ? {} : { userData: request.spec.userData }),
      cancelTimers: [],
    };
    request.store.instances.add(instance);
    this.context.instancesById.set(instanceId, instance);
    pools.occupy(instance.zone, instance.instanceType);
    if (instance.market === 'spot') request.store.spotInUse++;
    else request.store.onDemandVcpus += catalog.instanceType(instance.instanceType)?.vcpu ?? 0;
    events.record('instance-launched', {
      region: instance.region,
      instanceId,
      zone: instance.zone,
      instanceType: instance.instanceType,
      market: instance.market,
      ...(instance.spotRequestId === undefined ? {} : { spotRequestId: instance.spotRequestId }),
    });
    const bootMs = random.delay(scenario.delays.boot);
    instance.cancelTimers.push(setLongTimer(clock, bootMs, () => this.reachRunning(instance)));
    return instance;
  }

  /** Starts shutting the instance down; returns the state it was in. No-op once it is shutting down. */
  terminate(instance: SimInstance, cause: TerminationCause): SimInstance['state'] {
    const previous = instance.state;
    if (previous === 'shutting-down' || previous === 'terminated') return previous;
    const { clock, random, scenario, events, pools, catalog } = this.context;
    for (const cancel of instance.cancelTimers.splice(0)) cancel();
    const reason = REASON_BY_CAUSE[cause];
    instance.state = 'shutting-down';
    instance.stateReason = reason;
    instance.stateTransitionReason = `${cause.startsWith('spot') ? 'Service' : 'User'} initiated (${gmt(clock.now())})`;
    pools.release(instance.zone, instance.instanceType);
    const store = this.context.regions.get(instance.region);
    if (store !== undefined && instance.market === 'spot') store.spotInUse--;
    if (store !== undefined && instance.market === 'on-demand') {
      store.onDemandVcpus -= catalog.instanceType(instance.instanceType)?.vcpu ?? 0;
    }
    events.record('instance-shutting-down', {
      region: instance.region,
      instanceId: instance.instanceId,
      cause,
    });
    if (instance.market === 'spot') this.onSpotInstanceEnded(instance, cause);
    this.context.emit({ type: 'shutting-down', instance: instanceSnapshot(instance), reason });
    setLongTimer(clock, random.delay(scenario.delays.shutdown), () => this.reachTerminated(instance, reason));
    return previous;
  }

  /** A spot interruption: a warning now, termination after `noticeMs`. */
  interrupt(instance: SimInstance, noticeMs: number, cause: 'spot-price' | 'spot-capacity'): void {
    if (instance.state !== 'pending' && instance.state !== 'running') return;
    const { clock, events } = this.context;
    const terminateAt = clock.now() + noticeMs;
    for (const cancel of instance.cancelTimers.splice(0)) cancel();
    events.record('interruption-warning', {
      region: instance.region,
      instanceId: instance.instanceId,
      cause,
    });
    this.context.emit({ type: 'interruption-warning', instance: instanceSnapshot(instance), terminateAt });
    instance.cancelTimers.push(setLongTimer(clock, noticeMs, () => this.terminate(instance, cause)));
  }

  private reachRunning(instance: SimInstance): void {
    instance.state = 'running';
    this.context.events.record('instance-running', {
      region: instance.region,
      instanceId: instance.instanceId,
    });
    if (instance.market === 'spot') this.scheduleOrganicInterruption(instance);
    this.context.emit({ type: 'running', instance: instanceSnapshot(instance) });
  }

  private scheduleOrganicInterruption(instance: SimInstance): void {
    const { catalog, scenario, random, clock } = this.context;
    const rate =
      catalog.interruptionRatePerMs(instance.region, instance.instanceType) *
      scenario.interruptions.multiplier;
    const drawn = random.interruptions.exponential(rate);
    if (!Number.isFinite(drawn)) return;
    // Whole milliseconds keep every event time in the log an integer.
    const after = Math.round(drawn);
    const notice = Math.min(scenario.delays.interruptionNoticeMs, after);
    instance.cancelTimers.push(
      setLongTimer(clock, after - notice, () => this.interrupt(instance, notice, 'spot-capacity')),
    );
  }

  private reachTerminated(instance: SimInstance, reason: StateReason): void {
    const { clock, events, scenario } = this.context;
    instance.state = 'terminated';
    events.record('instance-terminated', { region: instance.region, instanceId: instance.instanceId });
    this.context.emit({ type: 'terminated', instance: instanceSnapshot(instance), reason });
    setLongTimer(clock, scenario.delays.terminatedRetentionMs, () => {
      const store = this.context.regions.get(instance.region);
      store?.instances.remove(instance);
      store?.forgetTokenOf(instance);
      this.context.instancesById.delete(instance.instanceId);
      events.record('instance-vanished', { region: instance.region, instanceId: instance.instanceId });
    });
  }
}

/** The default subnet of a zone: stable for the zone id. */
export function defaultSubnet(zoneId: string): string {
  let hash = 0;
  for (const char of zoneId) hash = (Math.imul(hash, 31) + char.charCodeAt(0)) >>> 0;
  return `subnet-${hash.toString(16).padStart(8, '0')}${'0'.repeat(9)}`;
}
