import { describe, expect, it } from 'vitest';
import { classifyEc2Error } from '../../src/ec2/classify-ec2-error.js';

/** An error shaped as the AWS SDK throws it. */
const sdkError = (name: string, message = 'm', extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 }, ...extra });

describe('classifyEc2Error', () => {
  const cases: [string, unknown, string][] = [
    ['throttling', sdkError('RequestLimitExceeded'), 'throttled'],
    ['no capacity in the pool', sdkError('InsufficientInstanceCapacity'), 'insufficient-capacity'],
    [
      'no addresses left in the subnet',
      sdkError('InsufficientFreeAddressesInSubnet'),
      'insufficient-capacity',
    ],
    ['no public addresses', sdkError('InsufficientAddressCapacity'), 'insufficient-capacity'],
    ['no volume capacity', sdkError('InsufficientVolumeCapacity'), 'insufficient-capacity'],
    [
      'a type not offered in the zone',
      sdkError(
        'Unsupported',
        'Your requested instance type (m5.large) is not supported in your requested Availability Zone (us-east-1e).',
      ),
      'insufficient-capacity',
    ],
    [
      'a configuration EC2 does not support',
      sdkError('Unsupported', 'The requested configuration is currently not supported.'),
      'invalid-request',
    ],
    ['a spot bid under the price', sdkError('SpotMaxPriceTooLow'), 'price-too-low'],
    ['the spot instance limit', sdkError('MaxSpotInstanceCountExceeded'), 'quota-exceeded'],
    ['the vCPU limit', sdkError('VcpuLimitExceeded'), 'quota-exceeded'],
    ['the per-type instance limit', sdkError('InstanceLimitExceeded'), 'quota-exceeded'],
    ['too many resources in one request', sdkError('RequestResourceCountExceeded'), 'invalid-request'],
    ['a missing image', sdkError('InvalidAMIID.NotFound'), 'not-found'],
    ['a bad parameter', sdkError('InvalidParameterValue'), 'invalid-request'],
    ['a 5xx', sdkError('InternalError', 'm', { $metadata: { httpStatusCode: 500 } }), 'unavailable'],
    ['a host unreachable', Object.assign(new Error('x'), { code: 'EHOSTUNREACH' }), 'unavailable'],
    ['a network unreachable', Object.assign(new Error('x'), { code: 'ENETUNREACH' }), 'unavailable'],
    ['a connection aborted', Object.assign(new Error('x'), { code: 'ECONNABORTED' }), 'unavailable'],
    ['an SDK timeout', sdkError('TimeoutError'), 'unavailable'],
  ];
  it.each(cases)('%s', (_name, error, kind) => {
    expect(classifyEc2Error(error, 'us-east-1', 'RunInstances').kind).toBe(kind);
  });
});
