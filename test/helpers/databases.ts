import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Database } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrate.js';
import { openPgliteDatabase } from '../../src/store/pglite-database.js';
import { PostgresDatabase } from '../../src/store/postgres-database.js';

export interface TestDatabase {
  db: Database;
  /** The throw-away database's URL (PostgreSQL only), for other processes. */
  url?: string;
  /** Closes the database and, for PostgreSQL, drops the throw-away database. */
  dispose(): Promise<void>;
}

export interface Engine {
  name: 'pglite' | 'postgres';
  open(options?: { migrated?: boolean }): Promise<TestDatabase>;
}

/**
 * The engines every store test runs on: PGlite always, PostgreSQL when DATABASE_URL is set.
 * In CI a missing DATABASE_URL is an error, so the PostgreSQL half can never be skipped silently.
 */
export function engines(): Engine[] {
  const url = process.env.DATABASE_URL;
  if (!url && process.env.CI) {
    throw new Error('CI is set but DATABASE_URL is not: the PostgreSQL store tests would be skipped');
  }
  const list: Engine[] = [{ name: 'pglite', open: openPglite }];
  if (url) list.push({ name: 'postgres', open: (options) => openPostgres(url, options) });
  return list;
}

async function openPglite(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const db = await openPgliteDatabase();
  if (options.migrated !== false) await migrate(db);
  return { db, dispose: () => db.close() };
}

/** A fresh database per call on the configured server, so parallel test files never share tables. */
async function openPostgres(url: string, options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const name = `aws_provisioner_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const testUrl = new URL(url);
  testUrl.pathname = `/${name}`;
  const db = new PostgresDatabase(testUrl.toString());
  if (options.migrated !== false) await migrate(db);
  return {
    db,
    url: testUrl.toString(),
    dispose: async () => {
      await db.close();
      const cleanup = new pg.Client({ connectionString: url });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}
