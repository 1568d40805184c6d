import type { Migration } from '../migrate.js';

/**
 * What the loop needs beyond observations: why it terminated instances (so the breaker can tell its own
 * terminations from deaths), per worker type and iteration snapshots with their decision record, and
 * circuit breaker state.
 */
export const provisioning: Migration = {
  version: 3,
  name: 'provisioning',
  statements: [
    `ALTER TABLE launches ADD COLUMN error_kind text`,
    `ALTER TABLE observed_instances ADD COLUMN hourly_price double precision`,
    `CREATE TABLE instance_terminations (
       instance_id text PRIMARY KEY,
       worker_type text NOT NULL,
       region text NOT NULL,
       reason text NOT NULL,
       requested_at timestamptz NOT NULL
     )`,
    'CREATE INDEX instance_terminations_by_time ON instance_terminations (requested_at)',
    `CREATE TABLE worker_type_snapshots (
       id bigserial PRIMARY KEY,
       iteration_id bigint NOT NULL,
       worker_type text NOT NULL,
       at timestamptz NOT NULL,
       pending_tasks integer,
       running_capacity double precision NOT NULL,
       pending_capacity double precision NOT NULL,
       requested_capacity double precision NOT NULL,
       spend_per_hour double precision NOT NULL,
       spot_capacity double precision NOT NULL,
       launches integer NOT NULL,
       launch_failures integer NOT NULL,
       terminations integer NOT NULL,
       blocked text,
       decision jsonb NOT NULL
     )`,
    'CREATE INDEX worker_type_snapshots_by_type ON worker_type_snapshots (worker_type, at DESC)',
    'CREATE INDEX worker_type_snapshots_by_time ON worker_type_snapshots (at)',
    `CREATE TABLE circuit_breakers (
       worker_type text PRIMARY KEY,
       state jsonb NOT NULL,
       updated_at timestamptz NOT NULL
     )`,
  ],
};
