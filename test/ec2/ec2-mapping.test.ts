import { describe, expect, it } from 'vitest';
import { toRunInstancesInput } from '../../src/ec2/ec2-mapping.js';
import type { LaunchRequest } from '../../src/ec2/ec2-port.js';

const request = (market: LaunchRequest['market']): LaunchRequest => ({
  region: 'us-west-2',
  clientToken: 'token-1',
  launchSpec: {
    ImageId: 'ami-1',
    InstanceType: 'c5.large',
    KeyName: 'key',
    UserData: '',
    MonitoringEnabled: true,
    AddressingType: 'public',
  },
  market,
  ...(market === 'spot' ? { maxPrice: 0.1 } : {}),
  tags: { Owner: 'p', WorkerType: 'p/wt' },
});

describe('toRunInstancesInput', () => {
  it.each(['on-demand', 'spot'] as const)(
    'asks EC2 to terminate a %s instance its worker shuts down (the on-demand default is to stop it)',
    (market) => {
      expect(toRunInstancesInput(request(market)).InstanceInitiatedShutdownBehavior).toBe('terminate');
    },
  );

  it('maps the spot vocabulary and tags the instance, its volumes and (spot only) its request', () => {
    const spot = toRunInstancesInput(request('spot'));
    expect(spot.Monitoring).toEqual({ Enabled: true });
    expect(spot).not.toHaveProperty('AddressingType');
    expect(spot.InstanceMarketOptions?.SpotOptions).toMatchObject({
      SpotInstanceType: 'one-time',
      MaxPrice: '0.100000',
    });
    expect(spot.TagSpecifications?.map((t) => t.ResourceType)).toEqual([
      'instance',
      'volume',
      'spot-instances-request',
    ]);
    const onDemand = toRunInstancesInput(request('on-demand'));
    expect(onDemand.InstanceMarketOptions).toBeUndefined();
    expect(onDemand.TagSpecifications?.map((t) => t.ResourceType)).toEqual(['instance', 'volume']);
  });
});
