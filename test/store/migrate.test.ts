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
