import { expect } from 'vitest';
import { type AuthRequest, HawkAuthenticator } from '../../../src/api/auth/hawk-authenticator.js';
import { MemoryNonceStore } from '../../../src/api/auth/memory-nonce-store.js';
import type { NonceStore } from '../../../src/api/auth/nonce-store.js';
import type { StaticClient } from '../../../src/config/config.js';
import { ProvisionerError } from '../../../src/errors.js';
import { FixedClock, headerAttribute } from './signing-client.js';

export const ISSUER: StaticClient = {
  clientId: 'issuer',
  accessToken: 'issuer-access-token-0123456789',
  scopes: ['aws-provisioner:*', 'queue:*', 'auth:create-client:named/*'],
};
export const PLAIN: StaticClient = {
  clientId: 'plain',
  accessToken: 'plain-access-token-abcdefghij',
  scopes: ['aws-provisioner:manage-worker-type:wt-1', 'queue:create-task:*'],
};
/** Holds scopes but may not name the credentials it issues. */
export const NO_CREATE: StaticClient = {
  clientId: 'no-create',
  accessToken: 'no-create-access-token-klmnop',
  scopes: ['aws-provisioner:*'],
};
export const CLIENTS = [ISSUER, PLAIN, NO_CREATE];

export interface Harness {
  authenticator: HawkAuthenticator;
  clock: FixedClock;
  nonces: MemoryNonceStore;
}

/** The server's clock starts at the real time, so requests signed now by the client are current. */
export function harness(nonces?: NonceStore): Harness {
  const clock = new FixedClock(Date.now());
  const memory = new MemoryNonceStore(clock);
  const authenticator = new HawkAuthenticator({ clients: CLIENTS, nonces: nonces ?? memory, clock });
  return { authenticator, clock, nonces: memory };
}

/** Values a failure message must never quote: every access token, and the request's own MAC. */
function requestSecrets(request: AuthRequest): string[] {
  const secrets = CLIENTS.map((c) => c.accessToken);
  if (request.authorization?.includes('mac="')) secrets.push(headerAttribute(request.authorization, 'mac'));
  const bewit = /[?&]bewit=([^&]*)/.exec(request.resource)?.[1];
  if (bewit !== undefined) {
    const mac = Buffer.from(bewit, 'base64url').toString('utf8').split('\\')[2];
    if (mac !== undefined && mac !== '') secrets.push(mac);
  }
  return secrets;
}

/** Asserts a 401-style failure whose message matches and whose whole error quotes no secret. */
export async function expectAuthFailure(
  authenticator: HawkAuthenticator,
  request: AuthRequest,
  message: RegExp,
  extraSecrets: string[] = [],
): Promise<ProvisionerError> {
  const error: unknown = await authenticator.authenticate(request).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProvisionerError);
  const failure = error as ProvisionerError;
  expect(failure.code).toBe('AuthenticationFailed');
  expect(failure.message).toMatch(message);
  const exposed = JSON.stringify({ ...failure, message: failure.message, stack: failure.stack });
  for (const secret of [...requestSecrets(request), ...extraSecrets]) {
    expect(secret.length).toBeGreaterThan(5);
    expect(exposed).not.toContain(secret);
  }
  return failure;
}
