import type { Migration } from '../migrate.js';

/**
 * In-flight launches are now read by when they were submitted (`launches_by_update`), not created: nothing
 * reads `launches` by a range of `created_at` any more, so its index only cost every launch's insert.
 */
export const dropCreationIndex: Migration = {
  version: 7,
  name: 'drop-creation-index',
  statements: ['DROP INDEX IF EXISTS launches_by_creation'],
};
