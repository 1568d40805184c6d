import { checkIdFormat, ec2Error, missingParameter } from './ec2-api-error.js';
import { defaultSubnet } from './instance-lifecycle.js';
import type { LaunchSpecInput } from './launch-service.js';
import type { QueryNode } from './query-params.js';
import type { RegionStore } from './region-store.js';

/** EC2's default instance type when a launch names none. */
const DEFAULT_INSTANCE_TYPE = 'm1.small';

/**
 * The launch specification of RunInstances (top-level parameters) or RequestSpotInstances (under
 * `LaunchSpecification.`); `node` is the level holding ImageId.
 */
export function launchSpecFrom(
  node: QueryNode | undefined,
  store: RegionStore,
  prefix = '',
): LaunchSpecInput {
  const imageId = node?.string('ImageId');
  if (node === undefined || imageId === undefined || imageId === '')
    throw missingParameter(`${prefix}ImageId`);
  checkIdFormat(imageId, 'ami', 'InvalidAMIID.Malformed');
  const securityGroupIds = node.strings('SecurityGroupId');
  for (const id of securityGroupIds) checkIdFormat(id, 'sg', 'InvalidGroupId.Malformed');
  const keyName = node.string('KeyName');
  const userData = node.string('UserData');
  const subnetId = node.string('SubnetId');
  let zone = node.string('Placement.AvailabilityZone');
  if (subnetId !== undefined) {
    const subnetZone = store.zones.find((candidate) => defaultSubnet(candidate.id) === subnetId);
    if (subnetZone === undefined)
      throw ec2Error('InvalidSubnetID.NotFound', `The subnet ID '${subnetId}' does not exist`);
    if (zone !== undefined && zone !== subnetZone.name) {
      throw ec2Error(
        'InvalidParameterValue',
        `The subnet '${subnetId}' is not in the Availability Zone '${zone}'.`,
      );
    }
    zone = subnetZone.name;
  }
  return {
    imageId,
    instanceType: node.string('InstanceType') ?? DEFAULT_INSTANCE_TYPE,
    ...(keyName === undefined ? {} : { keyName }),
    securityGroupNames: node.strings('SecurityGroup'),
    securityGroupIds,
    ...(zone === undefined ? {} : { zone }),
    ...(userData === undefined ? {} : { userData }),
    ...(subnetId === undefined ? {} : { subnetId }),
  };
}

/** RunInstances' InstanceMarketOptions: on-demand unless MarketType=spot. */
export function marketOptionsFrom(params: QueryNode): { market: 'spot' | 'on-demand'; maxPrice?: number } {
  const marketType = params.string('InstanceMarketOptions.MarketType');
  const spotOptions = params.node('InstanceMarketOptions.SpotOptions');
  if (marketType === undefined) {
    if (spotOptions !== undefined) {
      throw ec2Error(
        'InvalidParameterCombination',
        'SpotOptions can only be specified when MarketType is spot.',
      );
    }
    return { market: 'on-demand' };
  }
  if (marketType !== 'spot')
    throw ec2Error('InvalidParameterValue', `Invalid value '${marketType}' for MarketType.`);
  const spotType = spotOptions?.string('SpotInstanceType') ?? 'one-time';
  if (spotType !== 'one-time' && spotType !== 'persistent') {
    throw ec2Error('InvalidParameterValue', `Invalid value '${spotType}' for SpotInstanceType.`);
  }
  const behavior = spotOptions?.string('InstanceInterruptionBehavior') ?? 'terminate';
  if (spotType === 'persistent' && behavior === 'terminate') {
    throw ec2Error(
      'InvalidParameterCombination',
      'A persistent Spot Instance request with instance interruption behavior terminate is not supported here; use one-time.',
    );
  }
  if (behavior !== 'terminate') {
    throw ec2Error(
      'InvalidParameterValue',
      `Instance interruption behavior '${behavior}' is not supported by the simulator.`,
    );
  }
  const maxPrice = spotOptions?.number('MaxPrice');
  return maxPrice === undefined ? { market: 'spot' } : { market: 'spot', maxPrice };
}

export function checkClientToken(token: string | undefined): string | undefined {
  if (token !== undefined && (token.length > 64 || !/^[\x20-\x7e]*$/.test(token))) {
    throw ec2Error('InvalidParameterValue', 'The client token must be at most 64 ASCII characters.');
  }
  return token === '' ? undefined : token;
}
