import type { Ec2Error, Ec2Instance, Ec2Port, Ec2SpotRequest } from '../ec2/ec2-port.js';

/** Instances in these states can still cost money or be counted; terminated ones tell how instances died. */
const INSTANCE_STATES = ['pending', 'running', 'shutting-down', 'stopping', 'stopped', 'terminated'];
/**
 * Only open requests are capacity still to come (or stuck): an active one is fulfilled, and its instance is
 * described (and counted) already; asking for them would describe every spot instance twice.
 */
const REQUEST_STATES = ['open'];

export type RegionObservation =
  | { region: string; ok: true; instances: Ec2Instance[]; spotRequests: Ec2SpotRequest[] }
  | { region: string; ok: false; error: string };

/** The tags every launch carries (spec Part 1 "Provisioning"). */
export function launchTags(provisionerId: string, workerType: string): Record<string, string> {
  return { Name: workerType, Owner: provisionerId, WorkerType: `${provisionerId}/${workerType}` };
}

/** The worker type a resource belongs to, from its tags; undefined when they do not say. */
export function workerTypeOf(provisionerId: string, tags: Record<string, string>): string | undefined {
  const tagged = tags.WorkerType;
  if (tagged?.startsWith(`${provisionerId}/`)) return tagged.slice(provisionerId.length + 1);
  return tags.Name || undefined;
}

/**
 * Describes every region's instances and spot requests owned by this provisioner, regions concurrently:
 * two paginated calls per region, however many worker types there are. A region that fails is reported,
 * never thrown, so the others go on; when `signal` aborts, every call stops and so does the iteration.
 */
export async function observeFleet(
  ec2: Ec2Port,
  regions: readonly string[],
  provisionerId: string,
  signal?: AbortSignal,
): Promise<RegionObservation[]> {
  const owned = { Owner: provisionerId };
  const options = signal ? { signal } : {};
  return Promise.all(
    regions.map(async (region): Promise<RegionObservation> => {
      try {
        const [instances, spotRequests] = await Promise.all([
          ec2.describeInstances(region, { tags: owned, states: INSTANCE_STATES }, options),
          ec2.describeSpotRequests(region, { tags: owned, states: REQUEST_STATES }, options),
        ]);
        return { region, ok: true, instances, spotRequests };
      } catch (error) {
        return { region, ok: false, error: (error as Ec2Error).message ?? String(error) };
      }
    }),
  );
}
