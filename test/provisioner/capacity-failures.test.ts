import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock/virtual-clock.js';
import { CapacityFailures } from '../../src/provisioner/capacity-failures.js';
import { LaunchStore } from '../../src/store/launch-store.js';
import { SecretCipher } from '../../src/store/secret-cipher.js';
import { engines, type TestDatabase } from '../helpers/databases.js';

describe.each(engines())('CapacityFailures on $name', (engine) => {
  let test: TestDatabase;
  let launches: LaunchStore;
  const clock = new VirtualClock(Date.UTC(2026, 0, 1));

  beforeAll(async () => {
    test = await engine.open();
    launches = new LaunchStore(test.db, new SecretCipher(randomBytes(32)));
  });
  afterAll(() => test.dispose());

  /** A launch in its own zone that EC2 refused with `code`, `minutesAgo`. */
  async function refused(zone: string, instanceType: string, code: string, minutesAgo: number) {
    const kinds: Record<string, 'insufficient-capacity' | 'price-too-low'> = {
      InsufficientInstanceCapacity: 'insufficient-capacity',
      SpotMaxPriceTooLow: 'price-too-low',
    };
    const kind = kinds[code] ?? 'quota-exceeded';
    const clientToken = `launch-${zone}-${code}`;
    const when = new Date(clock.now() - minutesAgo * 60_000);
    const launch = {
      clientToken,
      workerType: 'w',
      region: 'us-west-2',
      zone,
      instanceType,
      market: 'spot' as const,
      maxPrice: 0.2,
      hourlyPrice: 0.04,
      capacity: 1,
      request: {
        region: 'us-west-2',
        clientToken,
        launchSpec: { ImageId: 'ami-1', InstanceType: instanceType, KeyName: 'k', UserData: '' },
        market: 'spot' as const,
        tags: {},
      },
    };
    await test.db.transaction((tx) => launches.record(tx, [launch], when));
    await launches.markFailed(test.db, clientToken, { kind, code, message: 'no' }, when);
  }

  it('says which pools each refusal covers, until its time is up', async () => {
    await refused('us-west-2a', 'c5.large', 'InsufficientInstanceCapacity', 1);
    await refused('us-west-2b', 'c5.large', 'VcpuLimitExceeded', 2);
    await refused('us-west-2c', 'p3.2xlarge', 'InstanceLimitExceeded', 3);
    await refused('us-west-2d', 'c5.large', 'MaxSpotInstanceCountExceeded', 11); // expired
    await refused('us-west-2e', 'c5.large', 'SpotMaxPriceTooLow', 4);
    const failures = await new CapacityFailures(launches, clock).active();
    const scopes = Object.fromEntries(failures.map((f) => [f.zone, f.quota ?? 'pool']));
    expect(scopes).toEqual({
      'us-west-2a': 'pool',
      'us-west-2b': 'quota-group',
      'us-west-2c': 'instance-type',
      'us-west-2e': 'pool',
    });
    // A price refusal says at which max price: offers at a higher one are still tried.
    expect(failures.find((f) => f.zone === 'us-west-2e')?.refusedMaxPrice).toBe(0.2);
    expect(failures.find((f) => f.zone === 'us-west-2a')?.refusedMaxPrice).toBeUndefined();
    expect(failures.find((f) => f.zone === 'us-west-2b')).toMatchObject({
      until: clock.now() + 8 * 60_000,
      reason: 'VcpuLimitExceeded: no',
    });
  });
});
