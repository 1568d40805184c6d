import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrate } from '../../src/store/migrate.js';
import { PostgresDatabase } from '../../src/store/postgres-database.js';
import { openMigratedPglite } from '../bench-loop.js';
import type { OpenedDatabase } from './scale-run.js';

export async function openPglite(): Promise<OpenedDatabase> {
  const db = await openMigratedPglite();
  return { db, name: 'pglite (in memory)', dispose: () => db.close() };
}

/** A throw-away database on the DATABASE_URL server, dropped afterwards: the benchmark never writes into yours. */
export async function openPostgres(url: string): Promise<OpenedDatabase> {
  const name = `aws_provisioner_scale_${randomBytes(6).toString('hex')}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const target = new URL(url);
  target.pathname = `/${name}`;
  const db = new PostgresDatabase(target.toString());
  await migrate(db);
  return {
    db,
    name: 'postgres (DATABASE_URL)',
    dispose: async () => {
      await db.close();
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
