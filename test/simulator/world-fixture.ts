import { encodeUserData, type UserData } from '../../src/domain/user-data.js';
import type { Ec2World } from '../../src/simulator/ec2/ec2-world.js';
import { defaultImageId, type ScenarioInput } from '../../src/simulator/ec2/scenario.js';

export const START = Date.UTC(2024, 0, 1);
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const PROVISIONER = 'sim-provisioner';

/** A quiet EC2 world for worker tests: fixed delays, no throttling, no organic interruptions. */
export const QUIET_EC2: ScenarioInput = {
  seed: 'worker-tests',
  regions: ['us-east-1'],
  delays: {
    boot: { minMs: 30_000, maxMs: 30_000 },
    shutdown: { minMs: 20_000, maxMs: 20_000 },
    instanceVisibility: { minMs: 0, maxMs: 0 },
    spotRequestVisibility: { minMs: 0, maxMs: 0 },
  },
  throttle: { enabled: false },
  interruptions: { multiplier: 0 },
};

/** User data as the provisioner writes it (spec §C.4), base64. */
export function workerUserData(overrides: Partial<UserData> = {}): string {
  return encodeUserData({
    availabilityZone: 'us-east-1a',
    capacity: 1,
    data: {},
    instanceType: 'c5.large',
    lastModified: new Date(START).toISOString(),
    launchSpecGenerated: new Date(START).toISOString(),
    price: 0.05,
    provisionerBaseUrl: 'http://127.0.0.1:9/v1',
    provisionerId: PROVISIONER,
    region: 'us-east-1',
    securityToken: 'token-1',
    spotBid: null,
    taskclusterRootUrl: 'http://127.0.0.1:9',
    workerType: 'wt',
    ...overrides,
  });
}

/** Launches `count` instances through the world API (as RunInstances would); returns their ids. */
export function launchWorkers(
  ec2: Ec2World,
  options: {
    count?: number;
    market?: 'spot' | 'on-demand';
    instanceType?: string;
    region?: string;
    userData?: string;
  } = {},
): string[] {
  const region = options.region ?? 'us-east-1';
  const { instances } = ec2.launches.runInstances(region, {
    spec: {
      imageId: defaultImageId(region),
      instanceType: options.instanceType ?? 'c5.large',
      userData: options.userData ?? workerUserData(),
    },
    minCount: 1,
    maxCount: options.count ?? 1,
    market: options.market ?? 'on-demand',
  });
  return instances.map((instance) => instance.instanceId);
}
