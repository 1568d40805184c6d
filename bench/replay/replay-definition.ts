import { instanceTypeConfig, type WorkerTypeDefinition } from '../../src/domain/worker-type.js';
import { simulatedDefinition } from '../simulated-definition.js';

/** The instance types the SpotLake trace covers. */
export const SPOTLAKE_TYPES = ['c5.large', 'm5.large', 'r5.large', 't3.medium'] as const;

/**
 * Utility = sustained vCPUs relative to c5.large. All four types have 2 vCPUs and at least the 4 GiB a
 * test chunk needs; more memory does not make a CPU-bound task faster, and the simulator runs a task for
 * its recorded time on any type. So all four count 1 (override with `--utilities`). t3.medium is
 * burstable (20 % baseline per vCPU); a real fleet would weigh that, the simulated one cannot.
 */
export const DEFAULT_UTILITIES: Readonly<Record<string, number>> = {
  'c5.large': 1,
  'm5.large': 1,
  'r5.large': 1,
  't3.medium': 1,
};

export interface ReplayDefinitionOptions {
  regions: readonly string[];
  utilities: Readonly<Record<string, number>>;
  /** USD per utility-hour; near the on-demand price of the types (c5.large 0.085, m5.large 0.096). */
  maxPrice: number;
  maxCapacity: number;
  scalingRatio: number;
  /**
   * Seconds a worker idles before shutting down, set the way a user sets it for docker-worker: the worker
   * type's `userData.shutdown.afterIdleSeconds`. Undefined: the worker's own default (docker-worker: 15 min).
   */
  afterIdleSeconds: number | undefined;
}

/** One worker type for a whole trace: the four SpotLake types, capacity 1 each, spot with on-demand fallback. */
export function replayDefinition(options: ReplayDefinitionOptions): WorkerTypeDefinition {
  return simulatedDefinition({
    description: 'Trace replay benchmark',
    regions: options.regions,
    instanceTypes: SPOTLAKE_TYPES.map((name) =>
      instanceTypeConfig(name, { utility: options.utilities[name] ?? 1 }),
    ),
    maxCapacity: options.maxCapacity,
    maxPrice: options.maxPrice,
    scalingRatio: options.scalingRatio,
    ...(options.afterIdleSeconds !== undefined && {
      userData: { shutdown: { afterIdleSeconds: options.afterIdleSeconds } },
    }),
  });
}
