import type { Clock } from '../clock/clock.js';
import type { Config } from '../config/config.js';
import type { BreakerState } from '../domain/circuit-breaker.js';
import type { WorkerType } from '../domain/worker-type.js';
import type { QueuePort } from '../queue/queue-port.js';
import { type FleetView, VISIBILITY_GRACE_MS } from '../store/fleet-view.js';
import type { IterationStore } from '../store/iteration-store.js';
import type { LaunchStore } from '../store/launch-store.js';
import type { PendingRemoval } from '../store/removal-store.js';
import type { FactSources } from './gather-facts.js';
import type { PriceBook } from './price-book.js';
import { readDemand } from './read-demand.js';

export interface FactReadDeps {
  config: Pick<Config, 'provisionerId'>;
  queue: QueuePort;
  clock: Clock;
  launches: LaunchStore;
  iterations: IterationStore;
  fleetView: FleetView;
  priceBook: Pick<PriceBook, 'onDemandPrice'>;
}

/** The breaker weighs launches and deaths over this window. */
const OUTCOME_WINDOW_MS = 3 * 3_600_000;

/**
 * Adds to what EC2 showed what the planner also weighs: the queue's demand, launches not yet visible, the
 * last known instances of regions that failed, check-ins, and the history behind the circuit breakers.
 */
export async function readFactSources(
  deps: FactReadDeps,
  now: number,
  seen: Pick<FactSources, 'definitions' | 'removals' | 'observations' | 'prices'>,
  signal?: AbortSignal,
): Promise<FactSources> {
  const { config } = deps;
  const { definitions, removals, observations, prices } = seen;
  const failed = observations.filter((o) => !o.ok).map((o) => o.region);
  const demandReadAt = new Map<string, number>();
  const onAnswered = (workerType: string) => demandReadAt.set(workerType, deps.clock.now());
  const [demand, inFlight, lastSeen, terminatedByUs, outcomes, breakers] = await Promise.all([
    readDemand(
      deps.queue,
      config.provisionerId,
      definitions.map((d) => d.workerType),
      { onAnswered, ...(signal ? { signal } : {}) },
    ),
    deps.launches.inFlight(new Date(now - VISIBILITY_GRACE_MS)),
    failed.length > 0 ? lastSeenIn(deps, failed) : Promise.resolve([]),
    deps.iterations.terminatedByUs(new Date(now - OUTCOME_WINDOW_MS)),
    deps.launches.outcomesSince(new Date(now - OUTCOME_WINDOW_MS)),
    deps.iterations.loadBreakers<BreakerState>(),
  ]);
  const recreated = await launchedBeforeRemovals(deps, definitions, removals);
  const instanceIds = observations.flatMap((o) => (o.ok ? o.instances.map((i) => i.instanceId) : []));
  const checkedIn = await deps.launches.checkedIn([...instanceIds, ...lastSeen.map((i) => i.instanceId)]);
  return {
    provisionerId: config.provisionerId,
    definitions,
    removals: recreated,
    observations,
    lastSeen,
    prices,
    demand,
    demandReadAt,
    inFlight,
    onDemandPrice: (region, instanceType) => deps.priceBook.onDemandPrice(region, instanceType),
    checkedIn,
    terminatedByUs,
    outcomes,
    breakers,
  };
}

/**
 * A removal of a worker type re-created since also takes the instances of launches recorded before it:
 * sent after it, they carry a later launch time. Read only then (rarely), so no iteration pays for it.
 */
async function launchedBeforeRemovals(
  deps: FactReadDeps,
  definitions: readonly WorkerType[],
  removals: readonly PendingRemoval[],
): Promise<FactSources['removals']> {
  const defined = new Set(definitions.map((d) => d.workerType));
  return Promise.all(
    removals.map(async (removal) =>
      defined.has(removal.workerType)
        ? {
            ...removal,
            launchedBefore: await deps.launches.instancesLaunchedBefore(
              removal.workerType,
              new Date(removal.requestedAt),
            ),
          }
        : removal,
    ),
  );
}

async function lastSeenIn(deps: FactReadDeps, regions: readonly string[]) {
  const fleets = await deps.fleetView.byWorkerType(new Date(deps.clock.now()));
  const wanted = new Set(regions);
  return [...fleets.values()].flatMap((f) => f.instances.filter((i) => wanted.has(i.region)));
}
