import {
  type InstanceTypeConfig,
  type JsonObject,
  regionConfig,
  type WorkerTypeDefinition,
} from '../src/domain/worker-type.js';
import { defaultImageId } from '../src/simulator/ec2/scenario.js';

export interface SimulatedDefinitionOptions {
  description: string;
  regions: readonly string[];
  instanceTypes: InstanceTypeConfig[];
  maxCapacity: number;
  maxPrice: number;
  /** Default 0: one new capacity unit per pending task. */
  scalingRatio?: number;
  /** Default `{}`; handed to the workers' own configuration (user data `data`). */
  userData?: JsonObject;
}

/**
 * A benchmark's worker type in the simulated world: the simulator's default AMI in each region, spot with
 * on-demand fallback, scaling ratio 0 unless given, and nothing else overridden.
 */
export function simulatedDefinition(options: SimulatedDefinitionOptions): WorkerTypeDefinition {
  return {
    description: options.description,
    owner: 'bench@example.com',
    launchSpec: {},
    userData: options.userData ?? {},
    secrets: {},
    scopes: [],
    minCapacity: 0,
    maxCapacity: options.maxCapacity,
    scalingRatio: options.scalingRatio ?? 0,
    minPrice: 0,
    maxPrice: options.maxPrice,
    canUseOndemand: true,
    canUseSpot: true,
    instanceTypes: options.instanceTypes,
    regions: options.regions.map((region) => regionConfig(region, defaultImageId(region))),
    availabilityZones: [],
  };
}
