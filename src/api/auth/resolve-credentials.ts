import type { StaticClient } from '../../config/config.js';
import { authenticationFailed } from './authentication-failed.js';
import type { HawkKey } from './hawk-library.js';
import { isValidScope, satisfies } from './scopes.js';
import { type Certificate, parseCertificate, verifyCertificate } from './temporary-credentials.js';

/** What Hawk verifies the request against, and what the request may then do. */
export interface ResolvedCredentials extends HawkKey {
  clientId: string;
  scopes: string[];
  /** ms since the epoch; only temporary credentials expire. */
  expires?: number;
}

/** `ext`: base64 of JSON `{certificate?, authorizedScopes?}`, as taskcluster-client encodes it. */
export interface Ext {
  certificate?: Certificate;
  authorizedScopes?: string[];
}

export function parseExt(ext: string | undefined): Ext {
  if (ext === undefined || ext === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(ext, 'base64').toString('utf8'));
  } catch {
    throw authenticationFailed('Failed to parse ext: it must be base64-encoded JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw authenticationFailed('Failed to parse ext: it must encode a JSON object');
  }
  const raw = value as Record<string, unknown>;
  const parsed: Ext = {};
  // Truthiness, not presence, decides, as in taskcluster-auth: `certificate: null` means none.
  if (raw.certificate) parsed.certificate = parseCertificate(raw.certificate);
  if (raw.authorizedScopes) parsed.authorizedScopes = parseAuthorizedScopes(raw.authorizedScopes);
  return parsed;
}

function parseAuthorizedScopes(value: unknown): string[] {
  if (!Array.isArray(value)) throw authenticationFailed('ext.authorizedScopes must be an array');
  if (!value.every(isValidScope)) {
    throw authenticationFailed('ext.authorizedScopes must be an array of printable-ASCII scopes');
  }
  return [...value];
}

/**
 * The credentials for Hawk id `hawkId` with `ext` applied, following taskcluster-auth's
 * `loadCredentials`: a named certificate's `issuer` signs, otherwise the Hawk id does; the certificate
 * replaces key and scopes; `authorizedScopes` then narrows the scopes.
 */
export function resolveCredentials(
  hawkId: string,
  ext: Ext,
  clients: ReadonlyMap<string, StaticClient>,
  now: number,
): ResolvedCredentials {
  const issuerId = ext.certificate?.issuer ?? hawkId;
  if (ext.certificate?.issuer === hawkId) {
    throw authenticationFailed(
      'ext.certificate.issuer must differ from the clientId the request is signed with',
    );
  }
  const issuer = clients.get(issuerId);
  if (issuer === undefined) {
    throw authenticationFailed(
      issuerId === hawkId
        ? `Unknown clientId ${JSON.stringify(hawkId)}`
        : `Unknown issuer ${JSON.stringify(issuerId)} of the temporary credentials for clientId ${JSON.stringify(hawkId)}`,
    );
  }
  let credentials: ResolvedCredentials = {
    clientId: hawkId,
    key: issuer.accessToken,
    algorithm: 'sha256',
    scopes: [...issuer.scopes],
  };
  if (ext.certificate !== undefined) {
    const temporary = verifyCertificate(ext.certificate, hawkId, issuer, now);
    credentials = {
      ...credentials,
      key: temporary.accessToken,
      scopes: temporary.scopes,
      expires: temporary.expires,
    };
  }
  if (ext.authorizedScopes !== undefined) {
    credentials = { ...credentials, scopes: restrictScopes(credentials.scopes, ext.authorizedScopes) };
  }
  return credentials;
}

function restrictScopes(held: string[], authorizedScopes: string[]): string[] {
  const missing = authorizedScopes.filter((scope) => !satisfies(held, scope));
  if (missing.length === 0) return [...authorizedScopes];
  throw authenticationFailed(
    [
      'Supplied credentials do not satisfy authorizedScopes; these authorizedScopes are not held:',
      '',
      '```',
      missing.join('\n'),
      '```',
      '',
      'credentials have scopes:',
      '',
      '```',
      held.join('\n'),
      '```',
    ].join('\n'),
  );
}
