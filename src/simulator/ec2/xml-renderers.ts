import { INSTANCE_STATE_CODES, type SimInstance, type SimSpotRequest } from './world-records.js';
import { isoTime, type RawXml, renderXmlContent, tagSet, type XmlObject } from './xml-writer.js';

/** EC2 writes prices with six decimals: `0.031300`. */
export function priceText(price: number): string {
  return price.toFixed(6);
}

export function instanceStateXml(state: SimInstance['state']): XmlObject {
  return { code: INSTANCE_STATE_CODES[state], name: state };
}

export function instanceXml(instance: SimInstance): XmlObject {
  const live = instance.state === 'pending' || instance.state === 'running';
  return {
    instanceId: instance.instanceId,
    imageId: instance.imageId,
    instanceState: instanceStateXml(instance.state),
    privateDnsName: live
      ? `ip-${instance.privateIp.replaceAll('.', '-')}.${instance.region}.compute.internal`
      : '',
    dnsName: '',
    reason: instance.stateTransitionReason,
    keyName: instance.keyName,
    amiLaunchIndex: instance.amiLaunchIndex,
    instanceType: instance.instanceType,
    launchTime: isoTime(instance.launchTime),
    placement: {
      availabilityZone: instance.zone,
      availabilityZoneId: instance.zoneId,
      groupName: '',
      tenancy: 'default',
    },
    monitoring: { state: 'disabled' },
    subnetId: live ? instance.subnetId : undefined,
    vpcId: live ? instance.vpcId : undefined,
    privateIpAddress: live ? instance.privateIp : undefined,
    sourceDestCheck: true,
    groupSet: instance.securityGroups.map((group) => ({
      groupId: group.groupId,
      groupName: group.groupName,
    })),
    stateReason: instance.stateReason === undefined ? undefined : { ...instance.stateReason },
    architecture: 'x86_64',
    rootDeviceType: 'ebs',
    rootDeviceName: '/dev/xvda',
    virtualizationType: 'hvm',
    clientToken: instance.clientToken ?? '',
    tagSet: tagSet(instance.tags),
    hypervisor: 'xen',
    instanceLifecycle: instance.market === 'spot' ? 'spot' : undefined,
    spotInstanceRequestId: instance.spotRequestId,
    ebsOptimized: false,
    enaSupport: true,
    bootMode: 'uefi-preferred',
    platformDetails: 'Linux/UNIX',
    usageOperation: 'RunInstances',
  };
}

/** What an instance's XML depends on that can change; anything else is fixed at launch. */
interface CachedInstanceXml {
  state: SimInstance['state'];
  tags: SimInstance['tags'];
  reason: string;
  xml: RawXml;
}

const renderedInstances = new WeakMap<SimInstance, CachedInstanceXml>();

/**
 * The instance's XML, rendered once per change: describing tens of thousands of mostly unchanged
 * instances every few seconds is the simulator's hot path. Tags are replaced (never mutated) on change.
 */
export function cachedInstanceXml(instance: SimInstance): RawXml {
  const cached = renderedInstances.get(instance);
  if (
    cached !== undefined &&
    cached.state === instance.state &&
    cached.tags === instance.tags &&
    cached.reason === instance.stateTransitionReason
  ) {
    return cached.xml;
  }
  const xml = renderXmlContent(instanceXml(instance));
  renderedInstances.set(instance, {
    state: instance.state,
    tags: instance.tags,
    reason: instance.stateTransitionReason,
    xml,
  });
  return xml;
}

/** Reservations for a page of instances: consecutive instances of one launch share one reservation. */
export function reservationsXml(instances: readonly SimInstance[], ownerId: string): XmlObject[] {
  const reservations: Array<{ reservationId: string; instances: SimInstance[] }> = [];
  for (const instance of instances) {
    const last = reservations[reservations.length - 1];
    if (last !== undefined && last.reservationId === instance.reservationId) last.instances.push(instance);
    else reservations.push({ reservationId: instance.reservationId, instances: [instance] });
  }
  return reservations.map((reservation) => ({
    reservationId: reservation.reservationId,
    ownerId,
    groupSet: [],
    instancesSet: reservation.instances.map(cachedInstanceXml),
  }));
}

export function spotRequestXml(request: SimSpotRequest): XmlObject {
  const spec = request.spec;
  return {
    spotInstanceRequestId: request.spotRequestId,
    spotPrice: priceText(request.maxPrice),
    type: request.type,
    state: request.state,
    fault:
      request.state === 'failed' ? { code: request.statusCode, message: request.statusMessage } : undefined,
    status: {
      code: request.statusCode,
      updateTime: isoTime(request.statusUpdateTime),
      message: request.statusMessage,
    },
    launchSpecification: {
      imageId: spec.imageId,
      keyName: spec.keyName,
      groupSet: spec.securityGroups.map((group) => ({ groupId: group.groupId, groupName: group.groupName })),
      instanceType: spec.instanceType,
      placement: spec.zone === undefined ? undefined : { availabilityZone: spec.zone },
      subnetId: spec.subnetId,
      monitoring: { enabled: false },
    },
    instanceId: request.instanceId,
    createTime: isoTime(request.createTime),
    productDescription: 'Linux/UNIX',
    launchedAvailabilityZone: request.launchedZone,
    tagSet: tagSet(request.tags),
    validUntil: isoTime(request.validUntil),
    instanceInterruptionBehavior: 'terminate',
  };
}
