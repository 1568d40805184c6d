import type { Migration } from '../migrate.js';

/**
 * A check-in belongs to its secret: at most one per token (the first kept), deleted with the secret. Before,
 * anyone holding a token could record any number of instance ids, and the rows were never deleted.
 */
export const checkinPerSecret: Migration = {
  version: 9,
  name: 'checkin-per-secret',
  statements: [
    // A replica still running the old code must not write between the clean-up and the constraints.
    'LOCK TABLE secrets, instance_checkins IN SHARE ROW EXCLUSIVE MODE',
    'DELETE FROM instance_checkins c WHERE NOT EXISTS (SELECT 1 FROM secrets s WHERE s.token = c.token)',
    `DELETE FROM instance_checkins c USING instance_checkins d
     WHERE d.token = c.token AND (d.checked_in_at, d.instance_id) < (c.checked_in_at, c.instance_id)`,
    'ALTER TABLE instance_checkins DROP CONSTRAINT instance_checkins_pkey',
    'ALTER TABLE instance_checkins ADD PRIMARY KEY (token)',
    // Kept for replicas still running the old code during a rolling upgrade: their check-in says
    // `ON CONFLICT (instance_id, token)`, which needs a unique index on exactly those columns.
    'CREATE UNIQUE INDEX instance_checkins_instance_token ON instance_checkins (instance_id, token)',
    `ALTER TABLE instance_checkins ADD CONSTRAINT instance_checkins_secret
       FOREIGN KEY (token) REFERENCES secrets (token) ON DELETE CASCADE`,
  ],
};
