import type { Migration } from '../migrate.js';

/**
 * Indexes for the two launch queries every iteration runs. Without them both scanned rows that cannot
 * match: in-flight launches read the whole table (`HISTORY_RETENTION` days of launches, 24–26 ms a call at
 * 48,000 rows on PGlite), and the breaker's failures read every launch of the last three hours.
 */
export const inFlightIndexes: Migration = {
  version: 6,
  name: 'in-flight-indexes',
  statements: [
    'CREATE INDEX launches_by_creation ON launches (created_at)',
    `CREATE INDEX launches_failed ON launches (updated_at) WHERE state = 'failed'`,
  ],
};
