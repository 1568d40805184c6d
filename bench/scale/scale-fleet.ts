/**
 * The scale benchmark's world: many worker types' instances already running in the simulated EC2, tagged
 * as the loop tags its launches, spread over worker types, regions, zones, instance types and markets.
 */
import { VirtualClock } from '../../src/clock/virtual-clock.js';
import { keyPairName } from '../../src/domain/key-pair-name.js';
import { defaultImageId } from '../../src/simulator/ec2/scenario.js';
import { SimulatedWorld } from '../../src/simulator/simulated-world.js';

export const SCALE_START = Date.UTC(2024, 0, 8);
export const SCALE_TYPES = ['c5.large', 'm5.large'] as const;

/** Ten regions the catalog prices, the first ones the simulator's defaults. */
export const SCALE_REGIONS = [
  'us-east-1',
  'us-west-2',
  'us-west-1',
  'us-east-2',
  'eu-central-1',
  'eu-west-1',
  'eu-west-2',
  'ap-northeast-1',
  'ap-southeast-1',
  'ap-southeast-2',
];

export interface ScaleFleetSpec {
  provisionerId: string;
  workerTypes: number;
  regions: readonly string[];
  instances: number;
  /** Worker types with pending tasks (so the loop also launches), and how many tasks each. */
  busyWorkerTypes: number;
  tasksEach: number;
}

export function workerTypeName(index: number): string {
  return `scale-${String(index).padStart(5, '0')}`;
}

interface Group {
  workerType: string;
  region: string;
  zone: string;
  instanceType: string;
  market: 'spot' | 'on-demand';
  count: number;
}

/** Instance i belongs to worker type i mod W; its region, zone, type and market rotate with it. */
export function fleetGroups(spec: ScaleFleetSpec, zonesOf: (region: string) => readonly string[]): Group[] {
  const groups = new Map<string, Group>();
  for (let i = 0; i < spec.instances; i++) {
    const workerType = workerTypeName(i % spec.workerTypes);
    const turn = Math.floor(i / spec.workerTypes);
    const region = spec.regions[(i + turn) % spec.regions.length] as string;
    const zones = zonesOf(region);
    const zone = zones[turn % zones.length] as string;
    const instanceType = SCALE_TYPES[turn % SCALE_TYPES.length] as string;
    const market = turn % 5 === 4 ? 'on-demand' : 'spot';
    const key = `${workerType}|${region}|${zone}|${instanceType}|${market}`;
    const group = groups.get(key);
    if (group) group.count++;
    else groups.set(key, { workerType, region, zone, instanceType, market, count: 1 });
  }
  return [...groups.values()];
}

/** A world holding the fleet, every instance running; its clock stands still afterwards (no throttling). */
export async function scaleWorld(spec: ScaleFleetSpec): Promise<SimulatedWorld> {
  const clock = new VirtualClock(SCALE_START);
  const world = new SimulatedWorld({
    clock,
    seed: 'scale',
    scenario: {
      regions: [...spec.regions],
      throttle: { enabled: false },
      interruptions: { multiplier: 0 },
      delays: { instanceVisibility: { minMs: 0, maxMs: 0 }, boot: { minMs: 30_000, maxMs: 30_000 } },
      capacity: { defaultPerPool: spec.instances },
      limits: { maxSpotInstancesPerRegion: spec.instances, onDemandVcpusPerRegion: 4 * spec.instances },
      workers: { bootstrap: 'skip' },
      eventLog: { maxEvents: 10_000 },
    },
  });
  const zonesOf = (region: string) => world.ec2.region(region).zones.map((zone) => zone.name);
  // The key pairs defining a worker type would have created (the benchmark defines them in the store).
  for (let w = 0; w < spec.workerTypes; w++) {
    const keyName = keyPairName(`${spec.provisionerId}-managed:`, workerTypeName(w), undefined);
    for (const region of spec.regions) world.ec2.resources.createKeyPair(region, { keyName });
  }
  for (const group of fleetGroups(spec, zonesOf)) {
    const tags = {
      Name: group.workerType,
      Owner: spec.provisionerId,
      WorkerType: `${spec.provisionerId}/${group.workerType}`,
    };
    world.ec2.launches.runInstances(group.region, {
      spec: { imageId: defaultImageId(group.region), instanceType: group.instanceType, zone: group.zone },
      minCount: group.count,
      maxCount: group.count,
      market: group.market,
      instanceTags: tags,
    });
  }
  await clock.advanceBy(60_000);
  for (let w = 0; w < spec.busyWorkerTypes; w++) {
    for (let t = 0; t < spec.tasksEach; t++) {
      world.queue.createTask({
        provisionerId: spec.provisionerId,
        workerType: workerTypeName(w),
        durationMs: 3_600_000,
      });
    }
  }
  return world;
}
