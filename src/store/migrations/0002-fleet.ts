import type { Migration } from '../migrate.js';

/**
 * What the provisioning loop observes and does: EC2 instances and spot requests as last described, every
 * launch (recorded before its EC2 call, so nothing is launched twice), and each iteration's outcome.
 */
export const fleet: Migration = {
  version: 2,
  name: 'fleet',
  statements: [
    `CREATE TABLE observed_instances (
       instance_id text PRIMARY KEY,
       region text NOT NULL,
       worker_type text NOT NULL,
       instance_type text NOT NULL,
       zone text NOT NULL,
       state text NOT NULL,
       market text NOT NULL,
       image_id text NOT NULL,
       launch_time timestamptz NOT NULL,
       spot_request_id text,
       client_token text,
       state_reason text,
       observed_at timestamptz NOT NULL
     )`,
    'CREATE INDEX observed_instances_by_worker_type ON observed_instances (worker_type)',
    'CREATE INDEX observed_instances_by_region ON observed_instances (region)',
    `CREATE TABLE observed_spot_requests (
       spot_request_id text PRIMARY KEY,
       region text NOT NULL,
       worker_type text NOT NULL,
       instance_type text NOT NULL,
       zone text,
       state text NOT NULL,
       status_code text NOT NULL,
       create_time timestamptz NOT NULL,
       instance_id text,
       max_price double precision NOT NULL,
       observed_at timestamptz NOT NULL
     )`,
    'CREATE INDEX observed_spot_requests_by_worker_type ON observed_spot_requests (worker_type)',
    'CREATE INDEX observed_spot_requests_by_region ON observed_spot_requests (region)',
    `CREATE TABLE launches (
       client_token text PRIMARY KEY,
       worker_type text NOT NULL,
       region text NOT NULL,
       zone text NOT NULL,
       instance_type text NOT NULL,
       market text NOT NULL,
       max_price double precision,
       price double precision NOT NULL,
       capacity double precision NOT NULL,
       state text NOT NULL CHECK (state IN ('recorded', 'submitted', 'failed')),
       instance_id text,
       error_code text,
       error_message text,
       request text NOT NULL,
       created_at timestamptz NOT NULL,
       updated_at timestamptz NOT NULL
     )`,
    'CREATE INDEX launches_by_worker_type ON launches (worker_type, created_at)',
    `CREATE INDEX launches_unresolved ON launches (created_at) WHERE state = 'recorded'`,
    `CREATE TABLE loop_iterations (
       id bigserial PRIMARY KEY,
       started_at timestamptz NOT NULL,
       finished_at timestamptz,
       outcome text CHECK (outcome IN ('success', 'partial', 'failure')),
       error text,
       summary jsonb
     )`,
  ],
};
