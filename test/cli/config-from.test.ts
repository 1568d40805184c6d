import { afterEach, describe, expect, it } from 'vitest';
import { configFrom } from '../../src/cli/service-commands.js';

describe('configFrom', () => {
  const saved = process.env.DATABASE_URL;
  afterEach(() => {
    if (saved === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = saved;
  });

  it('reads the environment with the overrides that are set on top', () => {
    process.env.DATABASE_URL = 'postgres://db.example:5432/provisioner';
    const config = configFrom({ PORT: '8123', LOG_LEVEL: undefined });
    expect(config.port).toBe(8123);
    expect(config.databaseUrl).toBe('postgres://db.example:5432/provisioner');
  });

  it('reads the variables it is told to ignore as if unset, so a bad one is not an error (the sandbox and DATABASE_URL)', () => {
    process.env.DATABASE_URL = 'mysql://not-postgres';
    expect(configFrom({}, ['DATABASE_URL']).databaseUrl).toBeUndefined();
  });
});
