import { createRequire } from 'node:module';

/**
 * The slice of the `hawk` package (v9, CommonJS, no bundled types) the authenticator uses, typed.
 * Hawk does the protocol (MAC, timestamp window, bewit expiry); nothing here re-implements it.
 */
export interface HawkKey {
  key: string;
  algorithm: 'sha256';
}

export interface HawkRequest {
  method: string;
  /** Path and query exactly as the client sent them. */
  url: string;
  host: string;
  port: number;
  authorization?: string;
  contentType?: string;
}

export interface HawkHeaderArtifacts {
  id: string;
  ts: string;
  nonce: string;
  hash?: string;
  ext?: string;
  mac: string;
}

export interface HawkServerOptions {
  timestampSkewSec?: number;
  /** Added to `Date.now()`; lets an injected Clock decide what "now" is without patching hawk globally. */
  localtimeOffsetMsec?: number;
  /** Throwing rejects the request as a replay (hawk reports it as "Invalid nonce"). */
  nonceFunc?: (key: string, nonce: string, ts: string) => Promise<void>;
}

type CredentialsFunc<C extends HawkKey> = (id: string) => Promise<C | null>;

export interface HawkLibrary {
  server: {
    authenticate<C extends HawkKey>(
      request: HawkRequest,
      credentials: CredentialsFunc<C>,
      options: HawkServerOptions,
    ): Promise<{ credentials: C; artifacts: HawkHeaderArtifacts }>;
    authenticateBewit<C extends HawkKey>(
      request: HawkRequest,
      credentials: CredentialsFunc<C>,
      options: Pick<HawkServerOptions, 'localtimeOffsetMsec'>,
    ): Promise<{ credentials: C; attributes: { id: string; exp: string; ext: string } }>;
    authenticatePayload(
      payload: string,
      credentials: HawkKey,
      artifacts: HawkHeaderArtifacts,
      contentType: string,
    ): void;
  };
  utils: {
    /** Throws (a Boom error) when the header is not a well-formed Hawk header. */
    parseAuthorizationHeader(header: string): Partial<Record<keyof HawkHeaderArtifacts, string>>;
  };
}

export const hawk = createRequire(import.meta.url)('hawk') as HawkLibrary;

/** Hawk throws Boom errors: an Error whose message names the protocol problem ("Bad mac", ...). */
export function isBoom(error: unknown): error is Error & { isBoom: true; isServer: boolean } {
  return error instanceof Error && (error as { isBoom?: unknown }).isBoom === true;
}
