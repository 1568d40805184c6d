/**
 * All configuration is read here, once, from the environment, and validated all at once: a bad start
 * lists every bad value, not just the first. Every value has a default that needs no setup.
 */

import { type Env, EnvReader } from './env-reader.js';

export interface StaticClient {
  clientId: string;
  accessToken: string;
  scopes: string[];
}

export interface Credentials {
  clientId: string;
  accessToken: string;
}

export type Strategy = 'default' | 'classic';

export interface Config {
  port: number;
  /** This deployment's root URL as clients see it; `provisionerBaseUrl` in user data derives from it. */
  publicUrl: string;
  trustProxy: boolean;
  databaseUrl: string | undefined;
  dataDir: string;
  staticClients: StaticClient[];
  /** The provisioner's own credentials: it signs workers' temporary credentials with them. */
  credentials: Credentials | undefined;
  /** The Taskcluster deployment whose queue is asked for pending tasks. */
  taskclusterRootUrl: string | undefined;
  provisionerId: string;
  allowedRegions: string[];
  ec2Endpoint: string | undefined;
  /** 32 bytes: secret data is then encrypted at rest with AES-256-GCM. */
  secretsEncryptionKey: Buffer | undefined;
  awsKeyPrefix: string;
  awsInstancePubkey: string | undefined;
  iterationIntervalMs: number;
  /**
   * Between iterations, pending tasks are re-read this often; demand grown past what the last iteration
   * covered, on two checks in a row, starts the next one early. 0 = off.
   */
  demandCheckMs: number;
  maxIterationMs: number;
  maxInstanceLifeMs: number;
  secretLifetimeMs: number;
  workerCredentialLifetimeMs: number;
  /** Snapshots, decision records, iterations and launch records are kept this long. */
  historyRetentionMs: number;
  strategy: Strategy;
  /** Provisioner-wide cap on planned spend, USD per hour; undefined = no cap. */
  maxHourlySpend: number | undefined;
  pulseUrl: string | undefined;
  pulseNamespace: string;
  logLevel: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export const DEFAULT_REGIONS = ['us-west-1', 'us-west-2', 'us-east-1', 'us-east-2', 'eu-central-1'];
const REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
const IDENTIFIER = /^[a-zA-Z0-9-_]{1,38}$/;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function readStaticClients(reader: EnvReader, raw: string | undefined): StaticClient[] {
  if (raw === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    reader.problems.push('STATIC_CLIENTS must be a JSON array of {clientId, accessToken, scopes}');
    return [];
  }
  if (!Array.isArray(parsed)) {
    reader.problems.push('STATIC_CLIENTS must be a JSON array of {clientId, accessToken, scopes}');
    return [];
  }
  const clients: StaticClient[] = [];
  parsed.forEach((entry: unknown, index) => {
    const where = `STATIC_CLIENTS[${index}]`;
    const client = entry as Partial<StaticClient> | null;
    if (typeof client?.clientId !== 'string' || client.clientId === '') {
      reader.problems.push(`${where}.clientId must be a non-empty string`);
    } else if (typeof client.accessToken !== 'string' || client.accessToken.length < 8) {
      reader.problems.push(`${where}.accessToken must be a string of at least 8 characters`);
    } else if (
      !Array.isArray(client.scopes) ||
      !client.scopes.every((s) => typeof s === 'string' && /^[\x20-\x7e]*$/.test(s))
    ) {
      reader.problems.push(`${where}.scopes must be an array of printable-ASCII strings`);
    } else if (clients.some((c) => c.clientId === client.clientId)) {
      reader.problems.push(`${where}.clientId ${JSON.stringify(client.clientId)} appears twice`);
    } else {
      clients.push({ clientId: client.clientId, accessToken: client.accessToken, scopes: client.scopes });
    }
  });
  return clients;
}

function readRegions(reader: EnvReader): string[] {
  const raw = reader.string('ALLOWED_REGIONS');
  if (raw === undefined) return [...DEFAULT_REGIONS];
  const regions = raw
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '');
  const bad = regions.filter((r) => !REGION_PATTERN.test(r));
  if (regions.length === 0) reader.problems.push('ALLOWED_REGIONS must list at least one region');
  if (bad.length > 0) reader.problems.push(`ALLOWED_REGIONS has invalid region names: ${bad.join(', ')}`);
  return [...new Set(regions)];
}

function readCredentials(reader: EnvReader): Credentials | undefined {
  const clientId = reader.string('TASKCLUSTER_CLIENT_ID');
  const accessToken = reader.string('TASKCLUSTER_ACCESS_TOKEN');
  if (clientId === undefined && accessToken === undefined) return undefined;
  if (clientId === undefined || accessToken === undefined) {
    reader.problems.push('TASKCLUSTER_CLIENT_ID and TASKCLUSTER_ACCESS_TOKEN must be set together');
    return undefined;
  }
  return { clientId, accessToken };
}

function readEncryptionKey(reader: EnvReader): Buffer | undefined {
  const raw = reader.string('SECRETS_ENCRYPTION_KEY');
  if (raw === undefined) return undefined;
  const key = Buffer.from(raw, 'base64');
  if (key.length !== 32 || !/^[A-Za-z0-9+/]+={0,2}$/.test(raw)) {
    reader.problems.push(
      'SECRETS_ENCRYPTION_KEY must be 32 bytes, base64-encoded (e.g. `openssl rand -base64 32`)',
    );
    return undefined;
  }
  return key;
}

const positive = (n: number) => n > 0;
const nonNegative = (n: number) => n >= 0;
const HOUR = 3_600_000;

/**
 * `DEMAND_CHECK_INTERVAL`: 15 s by default; off under `classic`, which reproduces the original's
 * fixed-interval loop. Set explicitly, it must be shorter than the interval, or it would never run.
 */
function readDemandCheck(reader: EnvReader, strategy: Strategy, intervalMs: number): number {
  const fallback = strategy === 'classic' ? 0 : 15;
  const seconds = reader.number(
    'DEMAND_CHECK_INTERVAL',
    fallback,
    nonNegative,
    'a non-negative number of seconds',
  );
  const explicit = reader.string('DEMAND_CHECK_INTERVAL') !== undefined;
  if (explicit && seconds > 0 && seconds * 1000 >= intervalMs) {
    reader.problems.push(
      `DEMAND_CHECK_INTERVAL=${seconds} must be 0 (off) or shorter than ITERATION_INTERVAL (${intervalMs / 1000} s)`,
    );
  }
  return seconds * 1000;
}

/** Where the service listens and stores, who it trusts, and the Taskcluster and EC2 it talks to. */
function readDeployment(reader: EnvReader, port: number, provisionerId: string, awsKeyPrefix: string) {
  return {
    port,
    publicUrl: reader.url('PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${port}`,
    trustProxy: reader.boolean('TRUST_PROXY', false),
    databaseUrl: reader.url('DATABASE_URL', ['postgres:', 'postgresql:']),
    dataDir: reader.string('DATA_DIR') ?? './data',
    staticClients: readStaticClients(reader, reader.string('STATIC_CLIENTS')),
    credentials: readCredentials(reader),
    taskclusterRootUrl: reader.url('TASKCLUSTER_ROOT_URL', ['http:', 'https:']),
    provisionerId,
    allowedRegions: readRegions(reader),
    ec2Endpoint: reader.url('AWS_ENDPOINT_URL_EC2', ['http:', 'https:']),
    secretsEncryptionKey: readEncryptionKey(reader),
    awsKeyPrefix,
    awsInstancePubkey: reader.string('AWS_INSTANCE_PUBKEY'),
  };
}

/** The provisioning loop's timing, lifetimes and strategy, and where its events and logs go. */
function readLoopSettings(reader: EnvReader, strategy: Strategy, iterationIntervalMs: number) {
  return {
    iterationIntervalMs,
    demandCheckMs: readDemandCheck(reader, strategy, iterationIntervalMs),
    maxIterationMs: reader.number('MAX_ITERATION_TIME', 900, positive, 'a positive number of seconds') * 1000,
    maxInstanceLifeMs: reader.number('MAX_INSTANCE_LIFE', 96, positive, 'a positive number of hours') * HOUR,
    secretLifetimeMs: reader.number('SECRET_LIFETIME', 40, positive, 'a positive number of minutes') * 60_000,
    workerCredentialLifetimeMs:
      reader.number(
        'WORKER_CREDENTIAL_LIFETIME',
        96,
        (n) => n > 0 && n <= 31 * 24,
        'hours, at most 744 (31 days)',
      ) * HOUR,
    historyRetentionMs:
      // The loop reads back hours of launches and terminations (in-flight launches, the circuit breaker).
      reader.number('HISTORY_RETENTION', 7, (n) => n >= 1, 'a number of days, at least 1') * 24 * HOUR,
    strategy,
    maxHourlySpend: reader.optionalNumber(
      'MAX_HOURLY_SPEND',
      nonNegative,
      'a non-negative number of USD per hour',
    ),
    pulseUrl: reader.url('PULSE_URL', ['amqp:', 'amqps:']),
    pulseNamespace: reader.string('PULSE_NAMESPACE') ?? 'taskcluster-aws-provisioner',
    logLevel: reader.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
  };
}

export function loadConfig(env: Env = process.env): Config {
  const reader = new EnvReader(env);
  const port = reader.number(
    'PORT',
    5557,
    (n) => Number.isInteger(n) && n >= 0 && n < 65536,
    'a port number',
  );
  const provisionerId = reader.string('PROVISIONER_ID') ?? 'aws-provisioner-v1';
  if (!IDENTIFIER.test(provisionerId)) {
    reader.problems.push('PROVISIONER_ID must be 1-38 characters of letters, digits, - and _');
  }
  const awsKeyPrefix = reader.string('AWS_KEY_PREFIX') ?? `${provisionerId}-managed:`;
  if (awsKeyPrefix.replace(/:$/, '').includes(':')) {
    reader.problems.push('AWS_KEY_PREFIX may contain ":" only as its last character');
  }
  const strategy = reader.oneOf('PROVISIONING_STRATEGY', ['default', 'classic'] as const, 'default');
  const iterationIntervalMs =
    reader.number('ITERATION_INTERVAL', 60, positive, 'a positive number of seconds') * 1000;
  // Deployment first: problems are listed in the order the variables are read.
  const config: Config = {
    ...readDeployment(reader, port, provisionerId, awsKeyPrefix),
    ...readLoopSettings(reader, strategy, iterationIntervalMs),
  };
  if (reader.problems.length > 0) throw new ConfigError(reader.problems);
  return config;
}
