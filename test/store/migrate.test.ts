import { describe, expect, it } from 'vitest';
import { migrate, migrations } from '../../src/store/migrate.js';
import { engines } from '../helpers/databases.js';

describe.each(engines())('migrations on $name', (engine) => {
  it('applies every migration once, and nothing on a second run', async () => {
    const { db, dispose } = await engine.open({ migrated: false });
    try {
      expect(await migrate(db)).toEqual(migrations.map((m) => m.version));
      expect(await migrate(db)).toEqual([]);
      const tables = await db.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
      );
      expect(tables.map((t) => t.table_name)).toEqual(
        expect.arrayContaining([
          'worker_types',
          'worker_type_versions',
          'secrets',
          'outbox',
          'schema_migrations',
        ]),
      );
    } finally {
      await dispose();
    }
  });

  it('keeps the first check-in of each secret and drops those of deleted secrets (9)', async () => {
    const { db, dispose } = await engine.open({ migrated: false });
    try {
      const before = migrations.filter((m) => m.version < 9);
      await migrate(db, before);
      await db.query(
        `INSERT INTO secrets (token, worker_type, secrets, scopes, expiration, created_at)
         VALUES ('kept', 'wt', '{}', '[]', now(), now())`,
      );
      await db.query(
        `INSERT INTO instance_checkins (instance_id, token, worker_type, checked_in_at) VALUES
           ('i-00000002', 'kept', 'wt', '2026-01-01T00:02:00Z'), ('i-00000001', 'kept', 'wt', '2026-01-01T00:01:00Z'),
           ('i-00000003', 'kept', 'wt', '2026-01-01T00:03:00Z'), ('i-00000001', 'gone', 'wt', '2026-01-01T00:00:00Z')`,
      );
      expect(await migrate(db)).toEqual([9]);
      expect(await db.query('SELECT instance_id, token FROM instance_checkins')).toEqual([
        { instance_id: 'i-00000001', token: 'kept' },
      ]);
      await db.query(`DELETE FROM secrets WHERE token = 'kept'`);
      expect(await db.query('SELECT 1 FROM instance_checkins')).toEqual([]);
    } finally {
      await dispose();
    }
  });

  it('still runs the check-in of a replica on the code before migration 9 (a rolling upgrade)', async () => {
    const { db, dispose } = await engine.open();
    try {
      await db.query(
        `INSERT INTO secrets (token, worker_type, secrets, scopes, expiration, created_at)
         VALUES ('tok', 'wt', '{}', '[]', now() + interval '1 hour', now())`,
      );
      const before9 = `INSERT INTO instance_checkins (instance_id, token, worker_type, checked_in_at)
         SELECT $1, token, worker_type, $3 FROM secrets WHERE token = $2
         ON CONFLICT (instance_id, token) DO UPDATE SET checked_in_at = EXCLUDED.checked_in_at
         RETURNING worker_type`;
      for (let i = 0; i < 2; i++)
        expect(await db.query(before9, ['i-00000001', 'tok', new Date()])).toEqual([{ worker_type: 'wt' }]);
    } finally {
      await dispose();
    }
  });

  it('rolls a failing migration back whole', async () => {
    const { db, dispose } = await engine.open({ migrated: false });
    try {
      const broken = {
        version: 999,
        name: 'broken',
        statements: ['CREATE TABLE half (x int)', 'SELECT nope()'],
      };
      await expect(migrate(db, [broken])).rejects.toThrow();
      const half = await db.query(`SELECT 1 FROM information_schema.tables WHERE table_name = 'half'`);
      expect(half).toEqual([]);
    } finally {
      await dispose();
    }
  });
});
