import type { Migration } from '../migrate.js';

/** One row: the epoch of the loop's current leadership, a fencing token a former leader's late writes fail. */
export const leadership: Migration = {
  version: 8,
  name: 'leadership',
  statements: [
    `CREATE TABLE loop_leadership (
       id integer PRIMARY KEY CHECK (id = 1),
       epoch bigint NOT NULL
     )`,
  ],
};
