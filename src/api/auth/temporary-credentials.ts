import { createHmac, timingSafeEqual } from 'node:crypto';
import type { StaticClient } from '../../config/config.js';
import { authenticationFailed } from './authentication-failed.js';
import { isValidScope, satisfies } from './scopes.js';

/**
 * Taskcluster temporary credentials (spec §A.4), checked the way taskcluster-auth's
 * `limitClientWithExt` (services/auth/src/signaturevalidator.js) does: shape, validity window with
 * 5 min of slack, at most 31 days, issuer may name the client and holds the scopes, then the signature.
 */
export interface Certificate {
  version: 1;
  scopes: string[];
  start: number;
  expiry: number;
  seed: string;
  signature: string;
  /** Present only for named credentials: the client that signed them. */
  issuer?: string;
}

export const MAX_CERTIFICATE_DURATION_MS = 31 * 24 * 60 * 60 * 1000;
/** Slack on both ends of the validity window, for clock skew between issuer and service. */
export const CERTIFICATE_CLOCK_SLACK_MS = 5 * 60 * 1000;

export interface TemporaryCredentials {
  accessToken: string;
  scopes: string[];
  expires: number;
}

/** `certificate` as sent in `ext`: an object, or the JSON string taskcluster-client configs often hold. */
export function parseCertificate(raw: unknown): Certificate {
  let value = raw;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      throw authenticationFailed('ext.certificate is a string but not valid JSON');
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw authenticationFailed('ext.certificate must be a JSON object');
  }
  const cert = value as Record<string, unknown>;
  const problem = certificateShapeProblem(cert);
  if (problem !== undefined) throw authenticationFailed(`ext.certificate ${problem}`);
  return cert as unknown as Certificate;
}

function certificateShapeProblem(cert: Record<string, unknown>): string | undefined {
  if (cert.version !== 1) return 'version must be 1';
  if (typeof cert.seed !== 'string' || cert.seed.length !== 44) return 'seed must be a 44-character string';
  if (typeof cert.start !== 'number' || !Number.isFinite(cert.start)) return 'start must be a number (ms)';
  if (typeof cert.expiry !== 'number' || !Number.isFinite(cert.expiry)) return 'expiry must be a number (ms)';
  if (!Array.isArray(cert.scopes) || !cert.scopes.every(isValidScope)) {
    return 'scopes must be an array of printable-ASCII scopes';
  }
  if (typeof cert.signature !== 'string') return 'signature must be a string';
  if (cert.issuer !== undefined && (typeof cert.issuer !== 'string' || cert.issuer === '')) {
    return 'issuer must be a non-empty string';
  }
  return undefined;
}

/**
 * Verifies `cert`, presented under Hawk id `clientId` and signed by `issuer`, and returns the credential
 * it grants. For unnamed credentials `issuer` is the client named by the Hawk id itself.
 */
export function verifyCertificate(
  cert: Certificate,
  clientId: string,
  issuer: StaticClient,
  now: number,
): TemporaryCredentials {
  checkValidityWindow(cert, now);
  checkNaming(cert, clientId, issuer);
  if (!satisfies(issuer.scopes, { AllOf: cert.scopes })) {
    throw authenticationFailed(
      `ext.certificate issuer ${JSON.stringify(issuer.clientId)} does not have all the certificate's scopes ` +
        `(${cert.scopes.join(', ')}); the temporary credentials were not issued correctly`,
    );
  }
  const expected = certificateSignature(issuer.accessToken, cert, clientId);
  if (!constantTimeEqual(cert.signature, expected)) {
    throw authenticationFailed(
      cert.issuer === undefined
        ? 'ext.certificate.signature is not valid'
        : 'ext.certificate.signature is not valid, or the wrong clientId was given for these named credentials',
    );
  }
  return {
    accessToken: temporaryAccessToken(issuer.accessToken, cert.seed),
    scopes: [...cert.scopes],
    expires: cert.expiry,
  };
}

function checkValidityWindow(cert: Certificate, now: number): void {
  if (cert.start > now + CERTIFICATE_CLOCK_SLACK_MS) {
    throw authenticationFailed(
      `ext.certificate is not valid yet: it starts at ${iso(cert.start)}, server time is ${iso(now)}`,
    );
  }
  if (cert.expiry < now - CERTIFICATE_CLOCK_SLACK_MS) {
    throw authenticationFailed(
      `ext.certificate has expired: it expired at ${iso(cert.expiry)}, server time is ${iso(now)}`,
    );
  }
  if (cert.expiry - cert.start > MAX_CERTIFICATE_DURATION_MS) {
    throw authenticationFailed('ext.certificate cannot last longer than 31 days');
  }
}

function checkNaming(cert: Certificate, clientId: string, issuer: StaticClient): void {
  if (cert.issuer === undefined) {
    if ('clientId' in cert) {
      throw authenticationFailed('ext.certificate.clientId must only be used with ext.certificate.issuer');
    }
    return;
  }
  const createScope = `auth:create-client:${clientId}`;
  if (!satisfies(issuer.scopes, createScope)) {
    throw authenticationFailed(
      `ext.certificate issuer ${JSON.stringify(issuer.clientId)} does not have the scope ${JSON.stringify(createScope)} needed to ` +
        `issue named credentials for clientId ${JSON.stringify(clientId)}`,
    );
  }
}

/** base64 HMAC-SHA256 over the certificate's lines, keyed by the issuer's access token. */
export function certificateSignature(
  issuerAccessToken: string,
  cert: Pick<Certificate, 'seed' | 'start' | 'expiry' | 'scopes' | 'issuer'>,
  clientId: string,
): string {
  const lines = ['version:1'];
  if (cert.issuer !== undefined) lines.push(`clientId:${clientId}`, `issuer:${cert.issuer}`);
  lines.push(`seed:${cert.seed}`, `start:${cert.start}`, `expiry:${cert.expiry}`, 'scopes:', ...cert.scopes);
  return createHmac('sha256', issuerAccessToken).update(lines.join('\n')).digest('base64');
}

/** The access token of temporary credentials: URL-safe base64, unpadded, of HMAC-SHA256(issuer token, seed). */
export function temporaryAccessToken(issuerAccessToken: string, seed: string): string {
  return createHmac('sha256', issuerAccessToken).update(seed).digest('base64url');
}

function constantTimeEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function iso(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? String(ms) : date.toISOString();
}
