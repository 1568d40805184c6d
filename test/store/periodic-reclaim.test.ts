import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock/virtual-clock.js';
import { createLogger } from '../../src/log/logger.js';
import type { Database } from '../../src/store/database.js';
import { RECLAIM_EVERY_MS, reclaimPeriodically } from '../../src/store/periodic-reclaim.js';

// What a reclaim does to PGlite is tested in reclaim.test.ts; this is about when it runs.
describe('reclaimPeriodically, for a process that runs no loop', () => {
  it('reclaims PGlite every hour, goes on after a failure, and stops when told', async () => {
    const clock = new VirtualClock();
    const lines: string[] = [];
    const logger = createLogger('error', { write: (line: string) => lines.push(line) });
    let calls = 0;
    const db: Pick<Database, 'engine' | 'reclaim'> = {
      engine: 'pglite',
      reclaim: async () => {
        calls++;
        if (calls === 2) throw new Error('disk full');
      },
    };
    const stop = reclaimPeriodically(db, clock, logger);
    await clock.advanceBy(RECLAIM_EVERY_MS - 1);
    expect(calls).toBe(0);
    await clock.advanceBy(1);
    expect(calls).toBe(1);
    await clock.advanceBy(2 * RECLAIM_EVERY_MS);
    expect(calls).toBe(3);
    expect(lines.map((line) => JSON.parse(line).event)).toEqual(['database.reclaim-failed']);
    stop();
    await clock.advanceBy(3 * RECLAIM_EVERY_MS);
    expect(calls).toBe(3);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('never starts one while the previous is still at work', async () => {
    const clock = new VirtualClock();
    let calls = 0;
    let release = () => {};
    const db: Pick<Database, 'engine' | 'reclaim'> = {
      engine: 'pglite',
      reclaim: () => {
        calls++;
        return new Promise<void>((resolve) => {
          release = resolve;
        });
      },
    };
    const stop = reclaimPeriodically(db, clock, createLogger('silent'));
    await clock.advanceBy(3 * RECLAIM_EVERY_MS);
    expect(calls).toBe(1);
    release();
    await new Promise((resolve) => setImmediate(resolve)); // its completion settles
    await clock.advanceBy(RECLAIM_EVERY_MS);
    expect(calls).toBe(2);
    stop();
  });

  it('schedules nothing on PostgreSQL, whose autovacuum does it', () => {
    const clock = new VirtualClock();
    const db: Pick<Database, 'engine' | 'reclaim'> = {
      engine: 'postgres',
      reclaim: () => Promise.reject(new Error('not expected')),
    };
    reclaimPeriodically(db, clock, createLogger('silent'));
    expect(clock.pendingTimers()).toBe(0);
  });
});
