import { parseArgs } from 'node:util';
import type { Strategy } from '../../src/config/config.js';
import { DEFAULT_UTILITIES } from './replay-definition.js';

export interface ReplayArgs {
  trace: string;
  prices: string;
  /** Undefined: the whole trace. */
  hours: number | undefined;
  out: string;
  seed: number;
  regions: string[];
  utilities: Record<string, number>;
  maxPrice: number;
  maxCapacity: number;
  /** The worker type's `scalingRatio` (§D.3): pending tasks tolerated per running capacity unit. */
  scalingRatio: number;
  drainHours: number;
  /**
   * How long a worker idles before shutting its instance down, set in the worker type's userData as
   * docker-worker reads it; undefined: docker-worker's default, 15 min.
   */
  idleTimeoutMin: number | undefined;
  /** Workers check in (instanceStarted) in-process, as docker-worker does over HTTP; the breaker needs it. */
  checkIn: boolean;
  /** Seconds between demand checks for every strategy; undefined: each strategy's product default. */
  demandCheckS: number | undefined;
  strategies: Strategy[];
  /** Each strategy in a child process of its own, both at once (two cores); otherwise one after the other. */
  parallel: boolean;
}

export const REPLAY_USAGE = `npx tsx bench/replay.ts --trace FILE [options]
  --prices FILE          SpotLake CSV(.gz) (default ../shared/data/prices/spotlake-2024-01-hourly.csv.gz)
  --hours H              replay only the trace's first H hours (default: all of it)
  --out DIR              JSON and SVG go here (default bench-results)
  --seed S               world, classic draws and back-off jitter (default 1)
  --regions A,B          (default us-east-1,us-west-1,us-west-2)
  --utilities T=U,...    instance type utilities (default all 1: every type has 2 vCPUs)
  --max-price USD        maxPrice per utility-hour (default 0.1, near on-demand)
  --max-capacity N       (default 5000)
  --scaling-ratio R      the worker type's scalingRatio: pending tasks left for running workers, per
                         running capacity unit (default 0: one new unit per pending task)
  --drain-hours H        after the last arrival, run at most this long for the fleet to drain (default 2)
  --idle-timeout-min M   a worker with nothing to do shuts down after M minutes, set as the worker type's
                         userData {"shutdown": {"afterIdleSeconds": 60 M}}, which docker-worker reads
                         (default: none, so docker-worker's own 15 minutes)
  --no-check-in          workers do not check in (the circuit breaker then sees none)
  --demand-check S       DEMAND_CHECK_INTERVAL for every strategy, 0 = off (default: the product's,
                         15 for default and off for classic)
  --strategies A,B       (default default,classic)
  --serial               run the strategies one after the other in this process`;

function numberOf(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`--${name} must be a non-negative number`);
  return value;
}

function utilitiesOf(raw: string | undefined): Record<string, number> {
  const utilities = { ...DEFAULT_UTILITIES };
  for (const entry of raw?.split(',') ?? []) {
    const [type = '', value] = entry.split('=');
    utilities[type] = numberOf('utilities', value, Number.NaN);
  }
  return utilities;
}

export function parseReplayArgs(argv: readonly string[]): ReplayArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      trace: { type: 'string' },
      prices: { type: 'string' },
      hours: { type: 'string' },
      out: { type: 'string' },
      seed: { type: 'string' },
      regions: { type: 'string' },
      utilities: { type: 'string' },
      'max-price': { type: 'string' },
      'max-capacity': { type: 'string' },
      'scaling-ratio': { type: 'string' },
      'drain-hours': { type: 'string' },
      'idle-timeout-min': { type: 'string' },
      strategies: { type: 'string' },
      serial: { type: 'boolean' },
      'no-check-in': { type: 'boolean' },
      'demand-check': { type: 'string' },
    },
  });
  if (values.trace === undefined) throw new RangeError(`--trace is required\n${REPLAY_USAGE}`);
  const strategies = (values.strategies ?? 'default,classic').split(',') as Strategy[];
  if (strategies.some((s) => s !== 'default' && s !== 'classic'))
    throw new RangeError('--strategies takes default and/or classic');
  return {
    trace: values.trace,
    prices: values.prices ?? '../shared/data/prices/spotlake-2024-01-hourly.csv.gz',
    hours: values.hours === undefined ? undefined : numberOf('hours', values.hours, 0),
    out: values.out ?? 'bench-results',
    seed: numberOf('seed', values.seed, 1),
    regions: (values.regions ?? 'us-east-1,us-west-1,us-west-2').split(',').filter((r) => r !== ''),
    utilities: utilitiesOf(values.utilities),
    maxPrice: numberOf('max-price', values['max-price'], 0.1),
    maxCapacity: numberOf('max-capacity', values['max-capacity'], 5000),
    scalingRatio: numberOf('scaling-ratio', values['scaling-ratio'], 0),
    drainHours: numberOf('drain-hours', values['drain-hours'], 2),
    checkIn: values['no-check-in'] !== true,
    demandCheckS:
      values['demand-check'] === undefined ? undefined : numberOf('demand-check', values['demand-check'], 0),
    idleTimeoutMin:
      values['idle-timeout-min'] === undefined
        ? undefined
        : numberOf('idle-timeout-min', values['idle-timeout-min'], 0),
    strategies,
    parallel: values.serial !== true && strategies.length > 1,
  };
}
