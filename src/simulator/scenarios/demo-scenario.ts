/**
 * The sandbox's world: three worker types' worth of load (steady streams plus bursts) in the default
 * regions, with the AMIs and security group the demo worker type definitions use already there. Times
 * are simulated time, chosen to be worth watching at 60x (one simulated hour per real minute).
 */
import {
  type InstanceTypeConfig,
  instanceTypeConfig,
  type RegionConfig,
  regionConfig,
  type WorkerTypeDefinition,
} from '../../domain/worker-type.js';
import { DEFAULT_SIMULATED_REGIONS, defaultImageId } from '../ec2/scenario.js';
import type { LoadSpec } from '../load/load-spec.js';
import type { WorldScenarioInput } from '../simulated-world.js';

export const DEMO_PROVISIONER_ID = 'aws-provisioner-v1';
export const DEMO_SECURITY_GROUP = 'docker-worker';

export interface DemoWorkerType {
  workerType: string;
  /** The body of `createWorkerType` (the sandbox creates it through the API). */
  definition: WorkerTypeDefinition;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function instanceType(name: string, capacity: number, utility: number): InstanceTypeConfig {
  return instanceTypeConfig(name, { capacity, utility });
}

function region(name: string): RegionConfig {
  return regionConfig(name, defaultImageId(name));
}

function definition(
  description: string,
  fields: Pick<WorkerTypeDefinition, 'instanceTypes' | 'regions' | 'maxCapacity' | 'maxPrice'> &
    Partial<WorkerTypeDefinition>,
): WorkerTypeDefinition {
  return {
    description,
    owner: 'sandbox@example.com',
    launchSpec: { SecurityGroups: [DEMO_SECURITY_GROUP] },
    userData: {},
    secrets: {},
    scopes: [],
    minCapacity: 0,
    scalingRatio: 0,
    minPrice: 0,
    canUseOndemand: false,
    canUseSpot: true,
    availabilityZones: [],
    ...fields,
  };
}

/** The demo worker types, whose instances the demo scenario's AMIs and security groups can launch. */
export function demoWorkerTypes(): DemoWorkerType[] {
  return [
    {
      workerType: 'demo-tests',
      definition: definition('Test runners: a steady stream of short tasks, with bursts', {
        instanceTypes: [instanceType('c5.xlarge', 2, 1), instanceType('c5.2xlarge', 4, 2)],
        regions: [region('us-east-1'), region('us-west-2')],
        maxCapacity: 80,
        maxPrice: 0.2,
        // docker-worker's own setting (it idles 15 minutes otherwise): bursts leave fewer idle workers to pay for.
        userData: { shutdown: { afterIdleSeconds: 180 } },
      }),
    },
    {
      workerType: 'demo-builds',
      definition: definition('Builders: long tasks arriving in bursts', {
        instanceTypes: [instanceType('m5.2xlarge', 1, 1), instanceType('c5.4xlarge', 1, 1.5)],
        regions: [region('us-east-1'), region('eu-central-1')],
        maxCapacity: 40,
        maxPrice: 0.4,
        scalingRatio: 0.1,
      }),
    },
    {
      workerType: 'demo-mobile',
      definition: definition('Mobile builds: a small steady load, on demand when spot is short', {
        instanceTypes: [instanceType('m5.large', 1, 1)],
        regions: [region('us-west-2')],
        maxCapacity: 10,
        maxPrice: 0.1,
        canUseOndemand: true,
      }),
    },
  ];
}

function demoLoad(provisionerId: string): LoadSpec[] {
  const queue = (workerType: string) => ({ provisionerId, workerType });
  return [
    {
      kind: 'steady',
      ...queue('demo-tests'),
      tasksPerHour: 240,
      taskDurationMs: { minMs: 3 * MINUTE, maxMs: 12 * MINUTE },
    },
    {
      kind: 'bursts',
      ...queue('demo-tests'),
      startMs: 30 * MINUTE,
      everyMs: 2 * HOUR,
      tasksPerBurst: 120,
      taskDurationMs: { minMs: 2 * MINUTE, maxMs: 6 * MINUTE },
    },
    {
      kind: 'steady',
      ...queue('demo-builds'),
      tasksPerHour: 12,
      taskDurationMs: { minMs: 20 * MINUTE, maxMs: 45 * MINUTE },
    },
    {
      kind: 'bursts',
      ...queue('demo-builds'),
      startMs: HOUR,
      everyMs: 3 * HOUR,
      tasksPerBurst: 25,
      taskDurationMs: { minMs: 25 * MINUTE, maxMs: 50 * MINUTE },
    },
    {
      kind: 'steady',
      ...queue('demo-mobile'),
      tasksPerHour: 30,
      taskDurationMs: { minMs: 2 * MINUTE, maxMs: 8 * MINUTE },
    },
  ];
}

/** The sandbox's scenario; `provisionerId` must be the provisioner's (its workers claim that queue). */
export function demoScenario(
  options: { provisionerId?: string; seed?: number | string } = {},
): WorldScenarioInput {
  return {
    seed: options.seed ?? 'sandbox',
    regions: DEFAULT_SIMULATED_REGIONS.map((name) => ({ name, securityGroups: [DEMO_SECURITY_GROUP] })),
    // Interruptions a few times more often than the spot advisor's buckets, so a demo sees some.
    interruptions: { multiplier: 30 },
    workers: { bootstrap: 'http', idleTimeoutMs: 15 * MINUTE },
    load: demoLoad(options.provisionerId ?? DEMO_PROVISIONER_ID),
  };
}
