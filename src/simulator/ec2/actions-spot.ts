import { checkMaxResults, compileFilters, type FilterFields, paginate } from './describe-filters.js';
import { ec2Error, missingParameter } from './ec2-api-error.js';
import { checkClientToken, launchSpecFrom } from './launch-spec-params.js';
import type { ActionHandler } from './query-action.js';
import type { SimSpotRequest } from './world-records.js';
import { priceText, spotRequestXml } from './xml-renderers.js';
import { isoTime } from './xml-writer.js';

export const SPOT_REQUEST_FILTERS: FilterFields<SimSpotRequest> = {
  fields: {
    'spot-instance-request-id': (r) => r.spotRequestId,
    state: (r) => r.state,
    'status-code': (r) => r.statusCode,
    'status-message': (r) => r.statusMessage,
    type: (r) => r.type,
    'instance-id': (r) => r.instanceId,
    'launched-availability-zone': (r) => r.launchedZone,
    'launch.instance-type': (r) => r.spec.instanceType,
    'launch.image-id': (r) => r.spec.imageId,
    'launch.key-name': (r) => r.spec.keyName,
    'launch.group-id': (r) => r.spec.securityGroups.map((group) => group.groupId),
    'launch.group-name': (r) => r.spec.securityGroups.map((group) => group.groupName),
    'spot-price': (r) => priceText(r.maxPrice),
    'product-description': () => 'Linux/UNIX',
    'create-time': (r) => isoTime(r.createTime),
  },
  tags: (r) => r.tags,
};

function checkRequestId(id: string): void {
  if (!/^sir-[a-z0-9]{8}$/.test(id)) {
    throw ec2Error('InvalidSpotInstanceRequestID.Malformed', `Invalid id: "${id}" (expecting "sir-...")`);
  }
}

export const requestSpotInstances: ActionHandler = ({ world, region, params, dryRun, fingerprint }) => {
  const store = world.region(region);
  const spec = launchSpecFrom(params.node('LaunchSpecification'), store, 'LaunchSpecification.');
  const type = params.string('Type') ?? 'one-time';
  if (type !== 'one-time' && type !== 'persistent')
    throw ec2Error('InvalidParameterValue', `Invalid value '${type}' for Type.`);
  const behavior = params.string('InstanceInterruptionBehavior') ?? 'terminate';
  if (behavior !== 'terminate') {
    throw ec2Error(
      'InvalidParameterValue',
      `Instance interruption behavior '${behavior}' is not supported by the simulator.`,
    );
  }
  if (params.string('BlockDurationMinutes') !== undefined) {
    throw ec2Error('InvalidParameterValue', 'Spot blocks (BlockDurationMinutes) are no longer offered.');
  }
  const maxPrice = params.number('SpotPrice');
  const validUntil = params.time('ValidUntil');
  const clientToken = checkClientToken(params.string('ClientToken'));
  const tags = params.tagSpecifications(['spot-instances-request']).get('spot-instances-request');
  const requests = world.launches.requestSpotInstances(
    region,
    {
      spec,
      instanceCount: params.int('InstanceCount') ?? 1,
      type,
      ...(maxPrice === undefined ? {} : { maxPrice }),
      ...(validUntil === undefined ? {} : { validUntil }),
      ...(clientToken === undefined ? {} : { clientToken }),
      ...(tags === undefined ? {} : { tags }),
      requestFingerprint: fingerprint,
    },
    { dryRun },
  );
  return { spotInstanceRequestSet: requests.map(spotRequestXml) };
};

export const describeSpotInstanceRequests: ActionHandler = ({ world, region, params }) => {
  const store = world.region(region);
  const now = world.clock.now();
  const ids = params.strings('SpotInstanceRequestId');
  const maxResults = params.int('MaxResults');
  checkMaxResults(maxResults, 5, 1000);
  const matches = compileFilters(params.filters(), SPOT_REQUEST_FILTERS);
  if (ids.length > 0) {
    for (const id of ids) checkRequestId(id);
    const missing = ids.find((id) => store.visibleSpotRequest(id, now) === undefined);
    if (missing !== undefined) {
      throw ec2Error(
        'InvalidSpotInstanceRequestID.NotFound',
        `The spot instance request ID '${missing}' does not exist`,
      );
    }
    const found = [...new Set(ids)]
      .map((id) => store.visibleSpotRequest(id, now) as SimSpotRequest)
      .filter(matches)
      .sort((a, b) => a.seq - b.seq);
    return { spotInstanceRequestSet: found.map(spotRequestXml) };
  }
  const nextToken = params.string('NextToken');
  const page = paginate(store.spotRequests, (request) => request.visibleAt <= now && matches(request), {
    ...(maxResults === undefined ? {} : { maxResults }),
    ...(nextToken === undefined ? {} : { nextToken }),
    scope: `DescribeSpotInstanceRequests|${region}`,
  });
  return { spotInstanceRequestSet: page.items.map(spotRequestXml), nextToken: page.nextToken };
};

export const cancelSpotInstanceRequests: ActionHandler = ({ world, region, params, dryRun }) => {
  const ids = params.strings('SpotInstanceRequestId');
  if (ids.length === 0) throw missingParameter('SpotInstanceRequestId');
  for (const id of ids) checkRequestId(id);
  const results = world.launches.cancelSpotInstanceRequests(region, ids, { dryRun });
  return {
    spotInstanceRequestSet: results.map((result) => ({
      spotInstanceRequestId: result.spotRequestId,
      state: result.state,
    })),
  };
};
