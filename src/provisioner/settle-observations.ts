import type { Clock } from '../clock/clock.js';
import type { Config } from '../config/config.js';
import { hourlyPrices, type PriceObservation } from '../domain/offers.js';
import type { WorkerType } from '../domain/worker-type.js';
import type { Ec2Instance } from '../ec2/ec2-port.js';
import type { Logger } from '../log/logger.js';
import type { LaunchRecord, LaunchStore } from '../store/launch-store.js';
import type { ObservationStore } from '../store/observation-store.js';
import type { PendingRemoval } from '../store/removal-store.js';
import { instanceRows, spotRequestRows } from './iteration-record.js';
import type { Launcher, SettledLaunch } from './launcher.js';
import type { RegionObservation } from './observe-fleet.js';

export interface SettleDeps {
  config: Pick<Config, 'allowedRegions' | 'provisionerId'>;
  clock: Clock;
  logger: Logger;
  observations: Pick<ObservationStore, 'forgetOtherRegions' | 'replaceRegion'>;
  launches: Pick<LaunchStore, 'unresolved'>;
  launcher: Pick<Launcher, 'resolve'>;
}

export interface SettleInput {
  observations: readonly RegionObservation[];
  prices: readonly PriceObservation[];
  definitions: readonly WorkerType[];
  removals: readonly PendingRemoval[];
}

/**
 * Stores what was observed (forgetting regions no longer allowed), and settles launches whose outcome was
 * unknown: seen in EC2, retried, or abandoned. Answers those launches with what became of them.
 */
export async function settleObservations(deps: SettleDeps, observed: SettleInput): Promise<SettledLaunch[]> {
  const { config, logger } = deps;
  const { observations } = observed;
  const now = new Date(deps.clock.now());
  const hourly = hourlyPrices(observed.prices);
  const priceOf = (i: Ec2Instance) => hourly(i, i.market);
  const forgotten = await deps.observations.forgetOtherRegions(config.allowedRegions);
  for (const [region, liveInstances] of forgotten) {
    // Its instances are no longer managed (nor terminated, nor counted): the operator should know.
    logger.warn({ event: 'loop.region-no-longer-allowed', region, liveInstances });
  }
  const visibleByToken = new Map<string, string>();
  for (const o of observations) {
    if (!o.ok) continue;
    for (const i of o.instances) if (i.clientToken) visibleByToken.set(i.clientToken, i.instanceId);
    const rows = instanceRows(o, config.provisionerId, priceOf);
    await deps.observations.replaceRegion(o.region, rows, spotRequestRows(o, config.provisionerId), now);
  }
  const unresolved = await deps.launches.unresolved();
  const reachable = new Set(observations.filter((o) => o.ok).map((o) => o.region));
  const allowed = new Set(config.allowedRegions);
  const wanted = launchWanted(observed.definitions, observed.removals);
  // A launch in a region no longer allowed is never observed again: it can only be abandoned.
  return deps.launcher.resolve(
    unresolved.filter((l) => reachable.has(l.region) || !allowed.has(l.region)),
    visibleByToken,
    (l) => allowed.has(l.region) && wanted(l),
  );
}

/** A launch still worth retrying: its worker type is defined and not being removed since it was recorded. */
function launchWanted(definitions: readonly WorkerType[], removals: readonly PendingRemoval[]) {
  const defined = new Set(definitions.map((d) => d.workerType));
  const removedAt = new Map(removals.map((r) => [r.workerType, r.requestedAt]));
  return (launch: LaunchRecord) => {
    const removed = removedAt.get(launch.workerType);
    return defined.has(launch.workerType) && (removed === undefined || launch.createdAt > removed);
  };
}
