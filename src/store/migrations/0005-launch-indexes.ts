import type { Migration } from '../migrate.js';

/**
 * Indexes for what every iteration asks of `launches`, which keeps `HISTORY_RETENTION` days of them: recent
 * outcomes (the circuit breaker) and launches by instance (check-ins).
 */
export const launchIndexes: Migration = {
  version: 5,
  name: 'launch-indexes',
  statements: [
    'CREATE INDEX launches_by_update ON launches (updated_at)',
    'CREATE INDEX launches_by_instance ON launches (instance_id) WHERE instance_id IS NOT NULL',
  ],
};
