import type { Clock } from '../../src/clock/clock.js';
import { defaultZones, type ZoneScenario } from '../../src/simulator/ec2/scenario.js';
import type { SpotPriceTrace } from '../../src/simulator/ec2/spot-price-trace.js';
import type { TaskTrace } from '../../src/simulator/load/task-trace.js';
import { SimulatedWorld } from '../../src/simulator/simulated-world.js';
import { SPOTLAKE_TYPES } from './replay-definition.js';

export interface ReplayWorldOptions {
  clock: Clock;
  seed: number | string;
  provisionerId: string;
  workerType: string;
  regions: readonly string[];
  prices: SpotPriceTrace;
  trace: TaskTrace;
  tracePath: string;
  /** Replays only the trace's first this many ms. */
  durationMs: number;
  idleTimeoutMs: number;
}

/**
 * Zones of `region` for which the SpotLake trace has a series of every type: the replay then runs on real
 * prices only (e.g. us-east-1e, zone id use1-az3, is absent from the trace and left out).
 */
export function zonesWithPrices(prices: SpotPriceTrace, region: string): ZoneScenario[] {
  return defaultZones(region).filter((zone) =>
    SPOTLAKE_TYPES.every((type) => prices.seriesFor(region, zone.id, type, 0) !== undefined),
  );
}

/** The regions with their SpotLake-priced zones; fails for a region the trace does not price. */
export function replayRegions(prices: SpotPriceTrace, regions: readonly string[]) {
  return regions.map((name) => {
    const zones = zonesWithPrices(prices, name);
    if (zones.length === 0) throw new Error(`The SpotLake trace has no prices for ${name}`);
    return { name, zones };
  });
}

/**
 * The world a trace is replayed in: EC2 with its default delays, throttling and interruptions, SpotLake
 * prices, workers that start at once (`skip`: there is no API server in virtual time) and the trace's
 * tasks arriving from the world's start.
 */
export function replayWorld(options: ReplayWorldOptions): SimulatedWorld {
  return new SimulatedWorld({
    clock: options.clock,
    seed: options.seed,
    priceTrace: options.prices,
    traces: new Map([[options.tracePath, options.trace]]),
    scenario: {
      regions: replayRegions(options.prices, options.regions),
      workers: { bootstrap: 'skip', idleTimeoutMs: options.idleTimeoutMs },
      // Completed task records are not needed beyond the wait statistics.
      queue: { retainCompletedTasks: 1_000 },
      load: [
        {
          kind: 'trace',
          path: options.tracePath,
          provisionerId: options.provisionerId,
          workerType: options.workerType,
          endMs: options.durationMs,
        },
      ],
    },
  });
}
