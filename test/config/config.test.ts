import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_REGIONS, loadConfig } from '../../src/config/config.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

describe('configuration', () => {
  it('has defaults that need no setup', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 5557,
      publicUrl: 'http://localhost:5557',
      databaseUrl: undefined,
      dataDir: './data',
      staticClients: [],
      provisionerId: 'aws-provisioner-v1',
      allowedRegions: DEFAULT_REGIONS,
      awsKeyPrefix: 'aws-provisioner-v1-managed:',
      iterationIntervalMs: 60_000,
      maxInstanceLifeMs: 96 * 3_600_000,
      secretLifetimeMs: 40 * 60_000,
      workerCredentialLifetimeMs: 96 * 3_600_000,
      historyRetentionMs: 7 * 24 * 3_600_000,
      strategy: 'default',
      pulseNamespace: 'taskcluster-aws-provisioner',
      logLevel: 'info',
    });
  });

  it('reads every variable', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const config = loadConfig({
      PORT: '8080',
      PUBLIC_URL: 'https://provisioner.example.com/',
      DATABASE_URL: 'postgres://user:pw@db/prov',
      STATIC_CLIENTS: JSON.stringify([{ clientId: 'root', accessToken: 'long-enough-token', scopes: ['*'] }]),
      TASKCLUSTER_CLIENT_ID: 'me',
      TASKCLUSTER_ACCESS_TOKEN: 'secret',
      TASKCLUSTER_ROOT_URL: 'https://tc.example.com',
      PROVISIONER_ID: 'staging',
      ALLOWED_REGIONS: 'eu-west-1, us-gov-west-1,eu-west-1',
      SECRETS_ENCRYPTION_KEY: key,
      PROVISIONING_STRATEGY: 'classic',
      MAX_HOURLY_SPEND: '12.5',
      PULSE_URL: 'amqps://u:p@pulse.example.com',
    });
    expect(config).toMatchObject({
      port: 8080,
      publicUrl: 'https://provisioner.example.com',
      allowedRegions: ['eu-west-1', 'us-gov-west-1'],
      awsKeyPrefix: 'staging-managed:',
      credentials: { clientId: 'me', accessToken: 'secret' },
      strategy: 'classic',
      maxHourlySpend: 12.5,
    });
    expect(config.secretsEncryptionKey?.length).toBe(32);
  });

  it('lists every bad value at once, never echoing URLs that may hold passwords', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      DATABASE_URL: 'mysql://root:hunter2@db',
      STATIC_CLIENTS: JSON.stringify([{ clientId: 'x', accessToken: 'short', scopes: [] }]),
      TASKCLUSTER_CLIENT_ID: 'only-the-id',
      ALLOWED_REGIONS: 'mars-north-1x',
      SECRETS_ENCRYPTION_KEY: 'c2hvcnQ=',
      ITERATION_INTERVAL: '0',
      PROVISIONING_STRATEGY: 'random',
      AWS_KEY_PREFIX: 'a:b:',
    });
    expect(problems).toHaveLength(9);
    expect(problems.join('\n')).toMatch(/PORT.*port number/);
    expect(problems.join('\n')).toContain('DATABASE_URL must be a postgres or postgresql URL');
    expect(problems.join('\n')).toContain('STATIC_CLIENTS[0].accessToken');
    expect(problems.join('\n')).toContain('must be set together');
    expect(problems.join('\n')).toContain('mars-north-1x');
    expect(problems.join('\n')).toContain('SECRETS_ENCRYPTION_KEY must be 32 bytes');
    expect(problems.join('\n')).toContain('ITERATION_INTERVAL');
    expect(problems.join('\n')).toContain('PROVISIONING_STRATEGY');
    expect(problems.join('\n')).toContain('AWS_KEY_PREFIX');
    expect(problems.join('\n')).not.toContain('hunter2');
  });

  it('keeps history at least a day: the loop reads hours of launches and terminations back', () => {
    expect(loadConfig({ HISTORY_RETENTION: '1.5' }).historyRetentionMs).toBe(36 * 3_600_000);
    expect(problemsOf({ HISTORY_RETENTION: '0.0001' })).toEqual([
      'HISTORY_RETENTION="0.0001" must be a number of days, at least 1',
    ]);
  });

  it('checks demand every 15 s by default, never under classic unless asked, and only within the interval', () => {
    expect(loadConfig({}).demandCheckMs).toBe(15_000);
    expect(loadConfig({ PROVISIONING_STRATEGY: 'classic' }).demandCheckMs).toBe(0);
    expect(loadConfig({ PROVISIONING_STRATEGY: 'classic', DEMAND_CHECK_INTERVAL: '10' }).demandCheckMs).toBe(
      10_000,
    );
    expect(loadConfig({ DEMAND_CHECK_INTERVAL: '0' }).demandCheckMs).toBe(0);
    // The default simply never fires when the interval is shorter; an explicit value is a mistake.
    expect(loadConfig({ ITERATION_INTERVAL: '10' }).demandCheckMs).toBe(15_000);
    expect(problemsOf({ ITERATION_INTERVAL: '30', DEMAND_CHECK_INTERVAL: '30' })).toEqual([
      'DEMAND_CHECK_INTERVAL=30 must be 0 (off) or shorter than ITERATION_INTERVAL (30 s)',
    ]);
    expect(problemsOf({ DEMAND_CHECK_INTERVAL: '-1' })).toEqual([
      'DEMAND_CHECK_INTERVAL="-1" must be a non-negative number of seconds',
    ]);
  });

  it('refuses malformed or duplicated static clients', () => {
    expect(problemsOf({ STATIC_CLIENTS: 'not json' })).toEqual([
      'STATIC_CLIENTS must be a JSON array of {clientId, accessToken, scopes}',
    ]);
    const twice = { clientId: 'a', accessToken: 'long-enough-token', scopes: [] };
    expect(problemsOf({ STATIC_CLIENTS: JSON.stringify([twice, twice]) })[0]).toContain('appears twice');
    expect(problemsOf({ STATIC_CLIENTS: JSON.stringify([{ ...twice, scopes: ['\u00e9'] }]) })[0]).toContain(
      'printable-ASCII',
    );
  });
});
