import type { Clock } from '../../clock/clock.js';
import type { StaticClient } from '../../config/config.js';
import { UnavailableError } from '../../errors.js';
import { authenticationFailed, isAuthenticationFailure } from './authentication-failed.js';
import { type HawkHeaderArtifacts, hawk, isBoom } from './hawk-library.js';
import type { NonceStore } from './nonce-store.js';
import { type Ext, parseExt, type ResolvedCredentials, resolveCredentials } from './resolve-credentials.js';

export interface AuthRequest {
  method: string;
  /** Path and query exactly as the client sent them (the bewit, if any, included). */
  resource: string;
  host: string;
  port: number;
  authorization?: string;
  /** Raw body; only consulted when the client signed a payload `hash` (taskcluster-client never does). */
  payload?: string;
  contentType?: string;
}

export type AuthResult =
  | { kind: 'anonymous'; scopes: [] }
  | { kind: 'authenticated'; clientId: string; scopes: string[]; expires?: number };

export interface HawkAuthenticatorOptions {
  clients: readonly StaticClient[];
  nonces: NonceStore;
  clock: Clock;
  /** Allowed distance between the request's `ts` and the server's clock, each way. */
  timestampSkewSec?: number;
}

// Same test taskcluster-auth used; query parsing is deliberately avoided.
const BEWIT_IN_RESOURCE = /^\/.*[?&]bewit=/;
// hawk's own bewit pattern: 1 = path, 2 = separator, 3 = bewit, 4 = rest of the query.
const BEWIT_PARTS = /^(\/.*)([?&])bewit=([^&$]*)(?:&(.+))?$/;

/** Hawk's failure messages, reworded to say what went wrong and what to check. */
const HAWK_FAILURES: Readonly<Record<string, string>> = {
  'Bad mac':
    'Bad mac: the request signature does not match; check the accessToken and that the method, ' +
    'path, query, host and port are those the client signed',
  'Invalid nonce': 'Replayed request: this nonce and timestamp were already used by this clientId',
  'Access expired': 'The bewit has expired; sign a new URL',
  'Bad payload hash': 'Bad payload hash: the body does not match the hash the request was signed with',
  'Invalid method': 'A bewit is only accepted on GET requests',
  'Missing attributes': 'The Hawk Authorization header lacks one of id, ts, nonce or mac',
};

/**
 * Validates Hawk requests locally (spec Part 1 "Authentication"): configured clients, temporary
 * credentials, authorizedScopes, bewit URLs, ±15 min skew and nonce replay, with the `hawk` package
 * doing the protocol. Resolution of `ext` follows taskcluster-auth's signaturevalidator.js.
 */
export class HawkAuthenticator {
  private readonly clients: ReadonlyMap<string, StaticClient>;
  private readonly nonces: NonceStore;
  private readonly clock: Clock;
  private readonly timestampSkewSec: number;

  constructor(options: HawkAuthenticatorOptions) {
    this.clients = new Map(options.clients.map((client) => [client.clientId, client]));
    this.nonces = options.nonces;
    this.clock = options.clock;
    this.timestampSkewSec = options.timestampSkewSec ?? 900;
  }

  async authenticate(request: AuthRequest): Promise<AuthResult> {
    const authorization = request.authorization ?? '';
    const hasBewit = BEWIT_IN_RESOURCE.test(request.resource);
    if (authorization === '' && !hasBewit) return { kind: 'anonymous', scopes: [] };
    if (authorization !== '' && hasBewit) {
      throw authenticationFailed(
        'The request carries both a bewit and an Authorization header; use only one',
      );
    }
    const credentials =
      authorization === ''
        ? await this.authenticateBewit(request)
        : await this.authenticateHeader(request, authorization);
    return {
      kind: 'authenticated',
      clientId: credentials.clientId,
      scopes: credentials.scopes,
      ...(credentials.expires === undefined ? {} : { expires: credentials.expires }),
    };
  }

  private async authenticateHeader(
    request: AuthRequest,
    authorization: string,
  ): Promise<ResolvedCredentials> {
    const attributes = parseHeader(authorization);
    // Hawk compares `ts * 1000` with now; a non-numeric ts would compare as NaN and never go stale.
    if (attributes.ts !== undefined && !/^\d{1,13}$/.test(attributes.ts)) {
      throw authenticationFailed('The Hawk ts attribute must be a whole number of seconds');
    }
    const ext = parseExt(attributes.ext);
    const now = this.clock.now();
    const replayCheck = this.replayCheck(attributes.id ?? '', now);
    try {
      const { credentials, artifacts } = await hawk.server.authenticate(
        { ...hawkRequest(request), authorization },
        async (id) => this.resolve(id, ext, now),
        {
          timestampSkewSec: this.timestampSkewSec,
          localtimeOffsetMsec: now - Date.now(),
          nonceFunc: replayCheck.nonceFunc,
        },
      );
      checkPayload(request, credentials, artifacts);
      return credentials;
    } catch (error) {
      if (replayCheck.storeError() !== undefined) throw nonceStoreUnavailable(replayCheck.storeError());
      throw this.failure(error, now);
    }
  }

  private async authenticateBewit(request: AuthRequest): Promise<ResolvedCredentials> {
    const method = request.method.toUpperCase();
    // Hawk, and so Taskcluster, allow HEAD too: it is a GET without the body.
    if (method !== 'GET' && method !== 'HEAD') {
      throw authenticationFailed(`A bewit is only accepted on GET requests, not on ${method}`);
    }
    const ext = parseExt(bewitExt(request.resource));
    const now = this.clock.now();
    try {
      const { credentials } = await hawk.server.authenticateBewit(
        hawkRequest(request),
        async (id) => this.resolve(id, ext, now),
        { localtimeOffsetMsec: now - Date.now() },
      );
      return credentials;
    } catch (error) {
      throw this.failure(error, now);
    }
  }

  private async resolve(hawkId: string, ext: Ext, now: number): Promise<ResolvedCredentials> {
    return resolveCredentials(hawkId, ext, this.clients, now);
  }

  /**
   * Hawk's `nonceFunc` runs before its timestamp check; a stale request is left for that check to
   * reject, so it is neither recorded nor reported as a replay.
   */
  private replayCheck(clientId: string, now: number) {
    let storeError: unknown;
    const skewMs = this.timestampSkewSec * 1000;
    const nonceFunc = async (_key: string, nonce: string, ts: string): Promise<void> => {
      const seconds = Number(ts);
      if (Math.abs(seconds * 1000 - now) > skewMs) return;
      let replayed: boolean;
      try {
        replayed = await this.nonces.seen(clientId, nonce, seconds);
      } catch (error) {
        storeError = error;
        throw error;
      }
      if (replayed) throw new Error('replayed nonce');
    };
    return { nonceFunc, storeError: () => storeError };
  }

  /**
   * A fresh error for every failure: hawk decorates its errors (and the ones our credentials function
   * throws) with the artifacts and credentials, i.e. the mac and the key, which must never reach a log.
   */
  private failure(error: unknown, now: number): Error {
    if (isAuthenticationFailure(error)) return authenticationFailed(error.message);
    // Anything else is a fault of ours (a bug, a misconfigured key), not of the request: a 500.
    if (!isBoom(error) || error.isServer) {
      return new Error(`Hawk authentication failed internally: ${messageOf(error)}`);
    }
    if (error.message === 'Stale timestamp') {
      return authenticationFailed(
        `Stale timestamp: the request's ts is more than ${this.timestampSkewSec / 60} minutes away from ` +
          `the server's time (${Math.floor(now / 1000)} s since the epoch); check the client's clock`,
      );
    }
    return authenticationFailed(HAWK_FAILURES[error.message] ?? `Invalid Hawk credentials: ${error.message}`);
  }
}

function hawkRequest(request: AuthRequest) {
  return {
    method: request.method.toUpperCase(),
    url: request.resource,
    host: request.host,
    port: request.port,
    contentType: request.contentType ?? '',
  };
}

function parseHeader(authorization: string): Partial<Record<keyof HawkHeaderArtifacts, string>> {
  if (!/^hawk(\s|$)/i.test(authorization)) {
    throw authenticationFailed('The Authorization header must use the Hawk scheme');
  }
  try {
    return hawk.utils.parseAuthorizationHeader(authorization);
  } catch (error) {
    // Hawk's parse errors name the attribute, never its value.
    throw authenticationFailed(`Malformed Hawk Authorization header: ${(error as Error).message}`);
  }
}

/** The `ext` inside a bewit (`base64url(id\exp\mac\ext)`), needed before hawk can be given a key. */
function bewitExt(resource: string): string | undefined {
  const encoded = BEWIT_PARTS.exec(resource)?.[3];
  if (encoded === undefined || !/^[\w-]*$/.test(encoded)) return undefined;
  const parts = Buffer.from(encoded, 'base64url').toString('utf8').split('\\');
  return parts.length === 4 ? parts[3] : undefined;
}

function checkPayload(
  request: AuthRequest,
  credentials: ResolvedCredentials,
  artifacts: HawkHeaderArtifacts,
) {
  if (artifacts.hash === undefined || artifacts.hash === '') return;
  hawk.server.authenticatePayload(request.payload ?? '', credentials, artifacts, request.contentType ?? '');
}

function nonceStoreUnavailable(cause: unknown): UnavailableError {
  const error = new UnavailableError(
    'Could not check the request for replay: the nonce store is unavailable',
  );
  error.cause = cause;
  return error;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
