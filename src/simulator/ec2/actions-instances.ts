import { checkMaxResults, compileFilters, type FilterFields, paginate } from './describe-filters.js';
import { checkIdFormat, ec2Error, instancesNotFound, missingParameter } from './ec2-api-error.js';
import { checkClientToken, launchSpecFrom, marketOptionsFrom } from './launch-spec-params.js';
import type { ActionHandler } from './query-action.js';
import { INSTANCE_STATE_CODES, type SimInstance } from './world-records.js';
import { instanceStateXml, instanceXml, reservationsXml } from './xml-renderers.js';

const RUN_TAG_TYPES = ['instance', 'volume', 'spot-instances-request', 'network-interface', 'elastic-gpu'];

export const INSTANCE_FILTERS: FilterFields<SimInstance> = {
  fields: {
    'instance-id': (i) => i.instanceId,
    'instance-state-name': (i) => i.state,
    'instance-state-code': (i) => String(INSTANCE_STATE_CODES[i.state]),
    'instance-type': (i) => i.instanceType,
    'availability-zone': (i) => i.zone,
    'image-id': (i) => i.imageId,
    'key-name': (i) => i.keyName,
    'instance-lifecycle': (i) => (i.market === 'spot' ? 'spot' : undefined),
    'spot-instance-request-id': (i) => i.spotRequestId,
    'reservation-id': (i) => i.reservationId,
    'client-token': (i) => i.clientToken,
    'private-ip-address': (i) => i.privateIp,
    'vpc-id': (i) => i.vpcId,
    'subnet-id': (i) => i.subnetId,
    'group-id': (i) => i.securityGroups.map((group) => group.groupId),
    'instance.group-id': (i) => i.securityGroups.map((group) => group.groupId),
    'group-name': (i) => i.securityGroups.map((group) => group.groupName),
    'instance.group-name': (i) => i.securityGroups.map((group) => group.groupName),
    'state-reason-code': (i) => i.stateReason?.code,
  },
  tags: (i) => i.tags,
};

export const runInstances: ActionHandler = ({ world, region, params, dryRun, fingerprint }) => {
  const store = world.region(region);
  const spec = launchSpecFrom(params, store);
  const minCount = params.int('MinCount');
  const maxCount = params.int('MaxCount');
  if (minCount === undefined) throw missingParameter('MinCount');
  if (maxCount === undefined) throw missingParameter('MaxCount');
  const market = marketOptionsFrom(params);
  const tagsByType = params.tagSpecifications(RUN_TAG_TYPES);
  const spotRequestTags = tagsByType.get('spot-instances-request');
  if (spotRequestTags !== undefined && market.market !== 'spot') {
    throw ec2Error('InvalidParameterValue', "'spot-instances-request' tags need MarketType spot.");
  }
  const clientToken = checkClientToken(params.string('ClientToken'));
  const instanceTags = tagsByType.get('instance');
  const reservation = world.launches.runInstances(
    region,
    {
      spec,
      minCount,
      maxCount,
      ...market,
      ...(clientToken === undefined ? {} : { clientToken }),
      ...(instanceTags === undefined ? {} : { instanceTags }),
      ...(spotRequestTags === undefined ? {} : { spotRequestTags }),
      requestFingerprint: fingerprint,
    },
    { dryRun },
  );
  return {
    reservationId: reservation.reservationId,
    ownerId: world.scenario.accountId,
    groupSet: [],
    instancesSet: reservation.instances.map(instanceXml),
  };
};

export const describeInstances: ActionHandler = ({ world, region, params }) => {
  const store = world.region(region);
  const now = world.clock.now();
  const ids = params.strings('InstanceId');
  const maxResults = params.int('MaxResults');
  if (ids.length > 0 && maxResults !== undefined) {
    throw ec2Error(
      'InvalidParameterCombination',
      'The parameter instancesSet cannot be used with the parameter maxResults',
    );
  }
  checkMaxResults(maxResults, 5, 1000);
  const matches = compileFilters(params.filters(), INSTANCE_FILTERS);
  if (ids.length > 0) {
    for (const id of ids) checkIdFormat(id, 'i', 'InvalidInstanceID.Malformed');
    const missing = ids.filter((id) => store.visibleInstance(id, now) === undefined);
    if (missing.length > 0) throw instancesNotFound(missing);
    const found = [...new Set(ids)]
      .map((id) => store.visibleInstance(id, now) as SimInstance)
      .filter(matches)
      .sort((a, b) => a.seq - b.seq);
    return { reservationSet: reservationsXml(found, world.scenario.accountId) };
  }
  const nextToken = params.string('NextToken');
  const page = paginate(store.instances, (instance) => instance.visibleAt <= now && matches(instance), {
    ...(maxResults === undefined ? {} : { maxResults }),
    ...(nextToken === undefined ? {} : { nextToken }),
    scope: `DescribeInstances|${region}`,
  });
  return { reservationSet: reservationsXml(page.items, world.scenario.accountId), nextToken: page.nextToken };
};

export const terminateInstances: ActionHandler = ({ world, region, params, dryRun }) => {
  const ids = params.strings('InstanceId');
  if (ids.length === 0) throw missingParameter('InstanceId');
  for (const id of ids) checkIdFormat(id, 'i', 'InvalidInstanceID.Malformed');
  const results = world.launches.terminateInstances(region, ids, { dryRun });
  return {
    instancesSet: results.map(({ instance, previous }) => ({
      instanceId: instance.instanceId,
      currentState: instanceStateXml(instance.state),
      previousState: instanceStateXml(previous),
    })),
  };
};
