import type { Migration } from '../migrate.js';

/** Definitions, their history, single-use secrets, check-ins, Hawk nonces, the event outbox and queued removals. */
export const initial: Migration = {
  version: 1,
  name: 'initial',
  statements: [
    `CREATE TABLE worker_types (
       name text PRIMARY KEY,
       definition jsonb NOT NULL,
       last_modified timestamptz NOT NULL,
       revision integer NOT NULL
     )`,
    `CREATE TABLE worker_type_versions (
       id bigserial PRIMARY KEY,
       worker_type text NOT NULL,
       revision integer NOT NULL,
       action text NOT NULL CHECK (action IN ('create', 'update', 'remove', 'rollback')),
       definition jsonb,
       last_modified timestamptz,
       changed_by text NOT NULL,
       changed_at timestamptz NOT NULL
     )`,
    'CREATE INDEX worker_type_versions_by_name ON worker_type_versions (worker_type, id)',
    `CREATE TABLE secrets (
       token text PRIMARY KEY,
       worker_type text NOT NULL,
       secrets text NOT NULL,
       scopes jsonb NOT NULL,
       expiration timestamptz NOT NULL,
       created_at timestamptz NOT NULL,
       consumed_at timestamptz
     )`,
    'CREATE INDEX secrets_by_expiration ON secrets (expiration)',
    `CREATE TABLE instance_checkins (
       instance_id text NOT NULL,
       token text NOT NULL,
       worker_type text NOT NULL,
       checked_in_at timestamptz NOT NULL,
       PRIMARY KEY (instance_id, token)
     )`,
    `CREATE TABLE hawk_nonces (
       client_id text NOT NULL,
       nonce text NOT NULL,
       ts bigint NOT NULL,
       seen_at timestamptz NOT NULL,
       PRIMARY KEY (client_id, nonce, ts)
     )`,
    'CREATE INDEX hawk_nonces_by_age ON hawk_nonces (seen_at)',
    `CREATE TABLE outbox (
       id bigserial PRIMARY KEY,
       exchange text NOT NULL,
       routing_key text NOT NULL,
       payload jsonb NOT NULL,
       created_at timestamptz NOT NULL,
       published_at timestamptz
     )`,
    'CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL',
    `CREATE TABLE worker_type_removals (
       worker_type text PRIMARY KEY,
       requested_at timestamptz NOT NULL,
       requested_by text NOT NULL,
       regions jsonb NOT NULL,
       last_error text,
       attempts integer NOT NULL DEFAULT 0
     )`,
  ],
};
