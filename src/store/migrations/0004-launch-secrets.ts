import type { Migration } from '../migrate.js';

/**
 * Links a loop-created secret to its launch (by the launch's client token, not a credential), so redeeming
 * the secret counts as the instance checking in: most workers redeem it and never call instanceStarted.
 */
export const launchSecrets: Migration = {
  version: 4,
  name: 'launch-secrets',
  statements: [
    'ALTER TABLE secrets ADD COLUMN launch_token text',
    'CREATE INDEX secrets_by_launch ON secrets (launch_token) WHERE launch_token IS NOT NULL',
    'CREATE INDEX instance_checkins_by_instance ON instance_checkins (instance_id)',
  ],
};
