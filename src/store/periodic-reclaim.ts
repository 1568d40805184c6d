import type { Clock } from '../clock/clock.js';
import type { Logger } from '../log/logger.js';
import type { Database } from './database.js';

/** As often as the loop reclaims with its hourly pruning. */
export const RECLAIM_EVERY_MS = 3_600_000;

/**
 * Reclaims dead rows every `everyMs` in a process that runs no loop (`server`): on PGlite nothing else
 * would, while Hawk nonces and secrets churn. PostgreSQL has autovacuum, so there it schedules nothing.
 * Returns the function that stops it.
 */
export function reclaimPeriodically(
  db: Pick<Database, 'engine' | 'reclaim'>,
  clock: Clock,
  logger: Logger,
  everyMs = RECLAIM_EVERY_MS,
): () => void {
  if (db.engine !== 'pglite') return () => {};
  let stopped = false;
  let running = false;
  let cancel = () => {};
  const reclaim = async () => {
    if (running) return; // the previous one is still at work: never two at once
    running = true;
    try {
      await db.reclaim();
    } catch (error) {
      logger.error({ event: 'database.reclaim-failed', err: error });
    } finally {
      running = false;
    }
  };
  // The next run is armed before this one starts, so a slow reclaim never delays the schedule.
  const schedule = () => {
    cancel = clock.setTimer(everyMs, () => {
      if (stopped) return;
      schedule();
      void reclaim();
    });
  };
  schedule();
  return () => {
    stopped = true;
    cancel();
  };
}
