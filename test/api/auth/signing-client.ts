import { createRequire } from 'node:module';
import type { AuthRequest } from '../../../src/api/auth/hawk-authenticator.js';
import type { Clock } from '../../../src/clock/clock.js';

/**
 * Signs requests the way real callers do: with taskcluster-client@16.2.0 itself and the very `hawk`
 * it depends on (v7), so the server is tested against the client's MACs, ext encoding and bewits.
 */
const require = createRequire(import.meta.url);
const clientPath = require.resolve('taskcluster-client');

export interface TcCredentials {
  clientId: string;
  accessToken: string;
  certificate?: string | object;
}

interface TcClient {
  _extData: string | undefined;
  workerType: { entryReference: unknown };
  buildSignedUrl(method: unknown, ...args: unknown[]): string;
}

interface TaskclusterClient {
  AwsProvisioner: new (options: {
    rootUrl: string;
    credentials: TcCredentials;
    authorizedScopes?: string[];
  }) => TcClient;
  createTemporaryCredentials(options: {
    credentials: { clientId: string; accessToken: string };
    scopes: string[];
    start?: Date;
    expiry: Date;
    clientId?: string;
  }): { clientId: string; accessToken: string; certificate: string };
}

interface HawkClient {
  client: {
    header(
      uri: string,
      method: string,
      options: {
        credentials: { id: string; key: string; algorithm: 'sha256' };
        ext?: string;
        timestamp?: number | string;
        nonce?: string;
        payload?: string;
        contentType?: string;
      },
    ): { header: string };
  };
}

export const taskcluster = require(clientPath) as TaskclusterClient;
const clientHawk = createRequire(clientPath)('hawk') as HawkClient;

export const ROOT_URL = 'https://tc.example.com';
export const API_PATH = '/api/aws-provisioner/v1';

/** The `ext` the real client puts on every request for these options. */
export function clientExt(credentials: TcCredentials, authorizedScopes?: string[]): string | undefined {
  return new taskcluster.AwsProvisioner({
    rootUrl: ROOT_URL,
    credentials,
    ...(authorizedScopes === undefined ? {} : { authorizedScopes }),
  })._extData;
}

export interface SignOptions {
  method?: string;
  path?: string;
  authorizedScopes?: string[];
  /** Overrides the client's ext (for malformed or hand-built ext). */
  ext?: string;
  timestamp?: number | string;
  nonce?: string;
  payload?: string;
}

/** A request carrying an Authorization header built exactly as taskcluster-client's `makeRequest` does. */
export function signedRequest(credentials: TcCredentials, options: SignOptions = {}): AuthRequest {
  const method = options.method ?? 'GET';
  const url = `${ROOT_URL}${API_PATH}${options.path ?? '/worker-type/wt-1'}`;
  const { header } = clientHawk.client.header(url, method, {
    credentials: { id: credentials.clientId, key: credentials.accessToken, algorithm: 'sha256' },
    ext: options.ext ?? clientExt(credentials, options.authorizedScopes),
    ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }),
    ...(options.nonce === undefined ? {} : { nonce: options.nonce }),
    ...(options.payload === undefined ? {} : { payload: options.payload, contentType: 'application/json' }),
  });
  return { ...requestFor(url, method), authorization: header };
}

/** A GET URL signed with the real client's `buildSignedUrl`, as an authenticator request. */
export function signedUrlRequest(
  credentials: TcCredentials,
  options: { authorizedScopes?: string[]; expirationSec?: number; method?: string } = {},
): AuthRequest {
  const client = new taskcluster.AwsProvisioner({
    rootUrl: ROOT_URL,
    credentials,
    ...(options.authorizedScopes === undefined ? {} : { authorizedScopes: options.authorizedScopes }),
  });
  const extra = options.expirationSec === undefined ? [] : [{ expiration: options.expirationSec }];
  const url = client.buildSignedUrl(client.workerType, 'wt-1', ...extra);
  return requestFor(url, options.method ?? 'GET');
}

export function requestFor(url: string, method: string): AuthRequest {
  const parsed = new URL(url);
  return {
    method,
    resource: `${parsed.pathname}${parsed.search}`,
    host: parsed.hostname,
    port: parsed.port === '' ? (parsed.protocol === 'https:' ? 443 : 80) : Number(parsed.port),
  };
}

/** The attribute values of a Hawk header (to check that none of them leak into messages). */
export function headerAttribute(header: string | undefined, name: string): string {
  const match = new RegExp(`${name}="([^"]*)"`).exec(header ?? '');
  if (match?.[1] === undefined) throw new Error(`no ${name} in header`);
  return match[1];
}

/** A clock that stays where it is put: the server's "now" in these tests. */
export class FixedClock implements Clock {
  constructor(public time: number) {}

  now(): number {
    return this.time;
  }

  advance(ms: number): void {
    this.time += ms;
  }

  sleep(): Promise<void> {
    throw new Error('FixedClock does not wait: authentication never sleeps');
  }

  setTimer(): () => void {
    throw new Error('FixedClock has no timers: authentication never sets one');
  }
}
