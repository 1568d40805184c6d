import type { Database } from './database.js';
import { initial } from './migrations/0001-initial.js';
import { fleet } from './migrations/0002-fleet.js';
import { provisioning } from './migrations/0003-provisioning.js';
import { launchSecrets } from './migrations/0004-launch-secrets.js';
import { launchIndexes } from './migrations/0005-launch-indexes.js';
import { inFlightIndexes } from './migrations/0006-in-flight-indexes.js';
import { dropCreationIndex } from './migrations/0007-drop-creation-index.js';
import { leadership } from './migrations/0008-leadership.js';
import { checkinPerSecret } from './migrations/0009-checkin-per-secret.js';

export interface Migration {
  version: number;
  name: string;
  /** One statement per entry: PGlite's parameterised protocol runs a single statement at a time. */
  statements: readonly string[];
}

export const migrations: readonly Migration[] = [
  initial,
  fleet,
  provisioning,
  launchSecrets,
  launchIndexes,
  inFlightIndexes,
  dropCreationIndex,
  leadership,
  checkinPerSecret,
];

/** Serialises concurrent start-ups of several replicas on one PostgreSQL. */
const MIGRATION_LOCK_KEY = 72_520_001;

/** Applies every migration not yet applied, each in its own transaction; returns the versions applied. */
export async function migrate(db: Database, all: readonly Migration[] = migrations): Promise<number[]> {
  await db.query(
    `CREATE TABLE IF NOT EXISTS schema_migrations (
       version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
  );
  const applied: number[] = [];
  for (const migration of [...all].sort((a, b) => a.version - b.version)) {
    const ran = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      const done = await tx.query('SELECT 1 FROM schema_migrations WHERE version = $1', [migration.version]);
      if (done.length > 0) return false;
      for (const statement of migration.statements) await tx.query(statement);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
      return true;
    });
    if (ran) applied.push(migration.version);
  }
  return applied;
}
