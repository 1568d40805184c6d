/**
 * A scenario describes a simulated EC2 world: plain JSON, so it can live in a file (`--scenario FILE`).
 * Every field has a default; `resolveScenario({})` gives a usable world with the five default regions.
 */
import { hashString, Random } from '../random.js';

export interface DelayRange {
  minMs: number;
  maxMs: number;
}

export interface ZoneScenario {
  /** e.g. `us-east-1a` */
  name: string;
  /** e.g. `use1-az1` */
  id: string;
}

export interface ImageScenario {
  imageId: string;
  name: string;
}

export interface RegionScenario {
  name: string;
  zones: ZoneScenario[];
  /** AMIs registered before the world starts. */
  images: ImageScenario[];
  /** Security group names created before the world starts (besides `default`). */
  securityGroups: string[];
}

export interface ThrottleRate {
  /** Bucket size: the burst allowed after a quiet period. */
  capacity: number;
  refillPerSecond: number;
}

export interface Ec2Scenario {
  seed: number | string;
  accountId: string;
  regions: RegionScenario[];
  delays: {
    /** pending -> running */
    boot: DelayRange;
    /** shutting-down -> terminated */
    shutdown: DelayRange;
    /** How long a new instance stays invisible to Describe* (eventual consistency). */
    instanceVisibility: DelayRange;
    spotRequestVisibility: DelayRange;
    /** RequestSpotInstances: time until a new request is first evaluated. */
    spotEvaluation: DelayRange;
    /** How often an open spot request that could not be fulfilled is evaluated again. */
    spotReevaluationMs: number;
    /** Terminated instances stay describable this long, then vanish. */
    terminatedRetentionMs: number;
    /** Closed and cancelled spot requests stay describable this long. */
    closedRequestRetentionMs: number;
    /** Warning before a spot interruption (EC2: two minutes). */
    interruptionNoticeMs: number;
  };
  capacity: {
    /** Concurrent instances (pending or running) per pool, i.e. zone x instance type. */
    defaultPerPool: number;
    /** Overrides keyed `<zone name>/<instance type>`, e.g. `us-east-1a/c5.large`. */
    pools: Record<string, number>;
  };
  limits: {
    /** Spot instances plus open spot requests per region (MaxSpotInstanceCountExceeded). */
    maxSpotInstancesPerRegion: number;
    /** vCPUs of live on-demand instances per region (VcpuLimitExceeded). */
    onDemandVcpusPerRegion: number;
  };
  throttle: {
    enabled: boolean;
    /** Describe* actions (EC2: 100 burst, 20/s). */
    describe: ThrottleRate;
    /** Every other action (EC2: 200 burst, 5/s). */
    mutate: ThrottleRate;
  };
  interruptions: {
    /** Multiplies the advisor-bucket interruption rates; 0 disables organic interruptions. */
    multiplier: number;
  };
  prices: {
    /** Model: a mean-reverting walk around on-demand x region factor x (1 - advisor savings). */
    stepMs: number;
    /** Standard deviation of one step of the log-price walk. */
    volatility: number;
    /** Fraction of the distance to the mean closed at each step. */
    reversion: number;
    /** Probability that a step changes the price (EC2 prices move in discrete jumps). */
    changeProbability: number;
    /** Optional SpotLake CSV(.gz) path read at start; its series replace the model where they exist. */
    tracePath?: string;
  };
  eventLog: {
    /** Oldest records are dropped beyond this. */
    maxEvents: number;
  };
}

type DeepPartial<T> = T extends readonly (infer U)[]
  ? readonly DeepPartial<U>[]
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

export type ScenarioInput = Omit<DeepPartial<Ec2Scenario>, 'regions'> & {
  regions?: ReadonlyArray<string | (Partial<RegionScenario> & { name: string })>;
};

export const DEFAULT_SIMULATED_REGIONS = ['us-west-1', 'us-west-2', 'us-east-1', 'us-east-2', 'eu-central-1'];

/** Zone letters and zone id numbers of the default regions, as a typical account sees them. */
const KNOWN_ZONES: Record<string, Array<[string, number]>> = {
  'us-east-1': [
    ['a', 1],
    ['b', 2],
    ['c', 4],
    ['d', 6],
    ['e', 3],
    ['f', 5],
  ],
  'us-west-1': [
    ['b', 1],
    ['c', 3],
  ],
  'us-west-2': [
    ['a', 1],
    ['b', 2],
    ['c', 3],
    ['d', 4],
  ],
};

const DIRECTIONS: Record<string, string> = {
  east: 'e',
  west: 'w',
  north: 'n',
  south: 's',
  central: 'c',
  northeast: 'ne',
  northwest: 'nw',
  southeast: 'se',
  southwest: 'sw',
};

/** AWS's zone-id prefix of a region: `us-east-1` -> `use1`, `ap-northeast-2` -> `apne2`. */
export function regionAbbreviation(region: string): string {
  const [geo = '', direction = '', number = ''] = region.split('-');
  return `${geo}${DIRECTIONS[direction] ?? direction.slice(0, 2)}${number}`;
}

export function defaultZones(region: string): ZoneScenario[] {
  const layout = KNOWN_ZONES[region] ?? [
    ['a', 1],
    ['b', 2],
    ['c', 3],
  ];
  const prefix = regionAbbreviation(region);
  return layout.map(([letter, number]) => ({ name: `${region}${letter}`, id: `${prefix}-az${number}` }));
}

/** The id of the default worker image of a region: stable for a region name, whatever the seed. */
export function defaultImageId(region: string): string {
  const random = new Random(hashString(`default-image/${region}`));
  return `ami-${random.hex(17)}`;
}

function resolveRegion(input: string | (Partial<RegionScenario> & { name: string })): RegionScenario {
  const region = typeof input === 'string' ? { name: input } : input;
  return {
    name: region.name,
    zones: region.zones?.map((zone) => ({ ...zone })) ?? defaultZones(region.name),
    images: region.images?.map((image) => ({ ...image })) ?? [
      { imageId: defaultImageId(region.name), name: 'simulated-worker' },
    ],
    securityGroups: [...(region.securityGroups ?? [])],
  };
}

export function resolveScenario(input: ScenarioInput = {}): Ec2Scenario {
  const range = (value: DeepPartial<DelayRange> | undefined, minMs: number, maxMs: number): DelayRange => ({
    minMs: value?.minMs ?? minMs,
    maxMs: value?.maxMs ?? value?.minMs ?? maxMs,
  });
  const d = input.delays ?? {};
  const rate = (value: DeepPartial<ThrottleRate> | undefined, capacity: number, refill: number) => ({
    capacity: value?.capacity ?? capacity,
    refillPerSecond: value?.refillPerSecond ?? refill,
  });
  return {
    seed: input.seed ?? 1,
    accountId: input.accountId ?? '123456789012',
    regions: (input.regions ?? DEFAULT_SIMULATED_REGIONS).map(resolveRegion),
    delays: {
      boot: range(d.boot, 20_000, 60_000),
      shutdown: range(d.shutdown, 15_000, 45_000),
      instanceVisibility: range(d.instanceVisibility, 0, 2_000),
      spotRequestVisibility: range(d.spotRequestVisibility, 0, 2_000),
      spotEvaluation: range(d.spotEvaluation, 2_000, 10_000),
      spotReevaluationMs: d.spotReevaluationMs ?? 60_000,
      terminatedRetentionMs: d.terminatedRetentionMs ?? 3600_000,
      closedRequestRetentionMs: d.closedRequestRetentionMs ?? 4 * 3600_000,
      interruptionNoticeMs: d.interruptionNoticeMs ?? 120_000,
    },
    capacity: {
      defaultPerPool: input.capacity?.defaultPerPool ?? 2_000,
      pools: { ...(input.capacity?.pools as Record<string, number> | undefined) },
    },
    limits: {
      maxSpotInstancesPerRegion: input.limits?.maxSpotInstancesPerRegion ?? 20_000,
      onDemandVcpusPerRegion: input.limits?.onDemandVcpusPerRegion ?? 100_000,
    },
    throttle: {
      enabled: input.throttle?.enabled ?? true,
      describe: rate(input.throttle?.describe, 100, 20),
      mutate: rate(input.throttle?.mutate, 200, 5),
    },
    interruptions: { multiplier: input.interruptions?.multiplier ?? 1 },
    prices: {
      stepMs: input.prices?.stepMs ?? 3600_000,
      volatility: input.prices?.volatility ?? 0.04,
      reversion: input.prices?.reversion ?? 0.2,
      changeProbability: input.prices?.changeProbability ?? 0.5,
      ...(input.prices?.tracePath === undefined ? {} : { tracePath: input.prices.tracePath }),
    },
    eventLog: { maxEvents: input.eventLog?.maxEvents ?? 200_000 },
  };
}
