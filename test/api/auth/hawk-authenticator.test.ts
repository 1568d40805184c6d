import { beforeEach, describe, expect, it } from 'vitest';
import { HawkAuthenticator } from '../../../src/api/auth/hawk-authenticator.js';
import type { NonceStore } from '../../../src/api/auth/nonce-store.js';
import { ProvisionerError, UnavailableError } from '../../../src/errors.js';
import { expectAuthFailure, type Harness, harness, ISSUER, PLAIN } from './fixtures.js';
import { requestFor, signedRequest, signedUrlRequest } from './signing-client.js';

const MINUTE = 60_000;
let h: Harness;

beforeEach(() => {
  h = harness();
});

describe('anonymous requests', () => {
  it.each([
    ['no Authorization header', undefined],
    ['an empty Authorization header', ''],
  ])('with %s and no bewit are anonymous with no scopes', async (_name, authorization) => {
    const request = { ...requestFor('https://tc.example.com/v1/worker-type/wt-1', 'GET'), authorization };
    expect(await h.authenticator.authenticate(request)).toEqual({ kind: 'anonymous', scopes: [] });
  });

  it('treats a query parameter merely ending in "bewit" as no bewit', async () => {
    const request = requestFor('https://tc.example.com/v1/ping?notbewit=1', 'GET');
    expect(await h.authenticator.authenticate(request)).toEqual({ kind: 'anonymous', scopes: [] });
  });
});

describe('Hawk Authorization header', () => {
  it('accepts a request signed by a configured client, with its scopes and no expiry', async () => {
    expect(await h.authenticator.authenticate(signedRequest(PLAIN))).toEqual({
      kind: 'authenticated',
      clientId: 'plain',
      scopes: PLAIN.scopes,
    });
  });

  it.each(['GET', 'PUT', 'POST', 'DELETE'])('accepts %s', async (method) => {
    const result = await h.authenticator.authenticate(signedRequest(PLAIN, { method, path: '/secret/x' }));
    expect(result.kind).toBe('authenticated');
  });

  it.each([
    ['a wrong accessToken', signedRequest({ ...PLAIN, accessToken: 'not-the-right-token' })],
    [
      'another path than signed',
      { ...signedRequest(PLAIN), resource: '/api/aws-provisioner/v1/worker-type/wt-2' },
    ],
    ['another method than signed', { ...signedRequest(PLAIN), method: 'DELETE' }],
    ['another host than signed', { ...signedRequest(PLAIN), host: 'evil.example.com' }],
    ['another port than signed', { ...signedRequest(PLAIN), port: 8443 }],
  ])('rejects %s as a bad mac', async (_name, request) => {
    await expectAuthFailure(h.authenticator, request, /^Bad mac/, ['not-the-right-token']);
  });

  it('rejects an unknown clientId, naming it', async () => {
    const request = signedRequest({ clientId: 'nobody', accessToken: 'nobody-access-token' });
    await expectAuthFailure(h.authenticator, request, /Unknown clientId "nobody"/, ['nobody-access-token']);
  });

  it.each([
    ['15 min + 1 s behind', -15 * MINUTE - 1000, false],
    ['15 min + 1 s ahead', 15 * MINUTE + 1000, false],
    ['an hour behind', -60 * MINUTE, false],
    ['14 min behind', -14 * MINUTE, true],
    ['14 min ahead', 14 * MINUTE, true],
  ])('a client clock %s the server is accepted: %s', async (_name, clientOffsetMs, accepted) => {
    const request = signedRequest(PLAIN, { timestamp: Math.floor((h.clock.now() + clientOffsetMs) / 1000) });
    if (accepted) {
      expect((await h.authenticator.authenticate(request)).kind).toBe('authenticated');
    } else {
      await expectAuthFailure(h.authenticator, request, /^Stale timestamp: .*15 minutes/);
    }
  });

  it('does not record the nonce of a stale request', async () => {
    const request = signedRequest(PLAIN, { timestamp: Math.floor(h.clock.now() / 1000) - 3600 });
    await expectAuthFailure(h.authenticator, request, /^Stale timestamp/);
    expect(h.nonces.size).toBe(0);
  });

  it('rejects a replayed request, and accepts the same client with a new nonce', async () => {
    const request = signedRequest(PLAIN, { nonce: 'abc123' });
    expect((await h.authenticator.authenticate(request)).kind).toBe('authenticated');
    await expectAuthFailure(h.authenticator, request, /^Replayed request/);
    const fresh = signedRequest(PLAIN, { nonce: 'def456' });
    expect((await h.authenticator.authenticate(fresh)).kind).toBe('authenticated');
  });

  it('keys nonces by clientId: two clients may use the same nonce and timestamp', async () => {
    const timestamp = Math.floor(h.clock.now() / 1000);
    await h.authenticator.authenticate(signedRequest(PLAIN, { nonce: 'same', timestamp }));
    const other = await h.authenticator.authenticate(signedRequest(ISSUER, { nonce: 'same', timestamp }));
    expect(other.kind).toBe('authenticated');
  });

  it('rejects a non-numeric ts even when the mac is right (it would never go stale)', async () => {
    await expectAuthFailure(
      h.authenticator,
      signedRequest(PLAIN, { timestamp: 'soon' }),
      /ts .*whole number/,
    );
  });

  it.each([
    ['another scheme', 'Bearer abcdef', /must use the Hawk scheme/],
    ['missing attributes', 'Hawk id="plain", ts="1", nonce="x"', /lacks one of id, ts, nonce or mac/],
    [
      'an unknown attribute',
      'Hawk id="plain", colour="blue"',
      /Malformed Hawk Authorization header: Unknown attribute: colour/,
    ],
    ['no attributes', 'Hawk', /Malformed Hawk Authorization header/],
  ])('rejects a header with %s', async (_name, authorization, message) => {
    const request = { ...requestFor('https://tc.example.com/v1/worker-type/wt-1', 'GET'), authorization };
    await expectAuthFailure(h.authenticator, request, message);
  });

  it.each([
    ['not base64 JSON', Buffer.from('not json').toString('base64'), /Failed to parse ext/],
    ['a JSON array', Buffer.from('[1]').toString('base64'), /must encode a JSON object/],
    [
      'a certificate that is not JSON',
      Buffer.from('{"certificate":"{oops"}').toString('base64'),
      /not valid JSON/,
    ],
  ])('rejects an ext that is %s', async (_name, ext, message) => {
    await expectAuthFailure(h.authenticator, signedRequest(PLAIN, { ext }), message);
  });

  it('checks a payload hash when the client signed one', async () => {
    const body = '{"a":1}';
    const signed = signedRequest(PLAIN, { method: 'PUT', payload: body });
    const good = { ...signed, payload: body, contentType: 'application/json' };
    expect((await h.authenticator.authenticate(good)).kind).toBe('authenticated');
    const tampered = { ...signedRequest(PLAIN, { method: 'PUT', payload: body }), payload: '{"a":2}' };
    await expectAuthFailure(
      h.authenticator,
      { ...tampered, contentType: 'application/json' },
      /^Bad payload hash/,
    );
  });

  it('reports a server-side misconfiguration as an internal error, not as bad credentials', async () => {
    const broken = new HawkAuthenticator({
      clients: [{ clientId: 'empty', accessToken: '', scopes: [] }],
      nonces: h.nonces,
      clock: h.clock,
    });
    const error = await broken
      .authenticate(signedRequest({ clientId: 'empty', accessToken: 'x' }))
      .catch((e) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(ProvisionerError);
    expect((error as Error).message).toMatch(/failed internally: Invalid credentials/);
  });

  it('reports a failing nonce store as unavailable, not as a replay', async () => {
    const broken: NonceStore = {
      seen: async () => {
        throw new Error('connection refused');
      },
    };
    const { authenticator } = harness(broken);
    const error = await authenticator.authenticate(signedRequest(PLAIN)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as Error).message).toMatch(/nonce store is unavailable/);
  });
});

describe('bewit URLs', () => {
  it('accepts a URL signed by the real client, with the client scopes', async () => {
    expect(await h.authenticator.authenticate(signedUrlRequest(PLAIN))).toEqual({
      kind: 'authenticated',
      clientId: 'plain',
      scopes: PLAIN.scopes,
    });
  });

  it('accepts HEAD, as hawk and Taskcluster do', async () => {
    const result = await h.authenticator.authenticate(signedUrlRequest(PLAIN, { method: 'HEAD' }));
    expect(result.kind).toBe('authenticated');
  });

  it('may be used more than once until it expires (bewits carry no nonce)', async () => {
    const request = signedUrlRequest(PLAIN);
    await h.authenticator.authenticate(request);
    expect((await h.authenticator.authenticate(request)).kind).toBe('authenticated');
  });

  it.each([
    ['the default 15 min', undefined, 16 * MINUTE],
    ['a 60 s expiration', 60, 2 * MINUTE],
  ])('expires after %s', async (_name, expirationSec, later) => {
    const request = signedUrlRequest(PLAIN, expirationSec === undefined ? {} : { expirationSec });
    h.clock.advance(later);
    await expectAuthFailure(h.authenticator, request, /bewit has expired/);
  });

  it.each(['POST', 'PUT', 'DELETE'])('is refused on %s', async (method) => {
    await expectAuthFailure(h.authenticator, signedUrlRequest(PLAIN, { method }), /only accepted on GET/);
  });

  it('is refused together with an Authorization header', async () => {
    const request = { ...signedUrlRequest(PLAIN), authorization: signedRequest(PLAIN).authorization };
    await expectAuthFailure(h.authenticator, request, /both a bewit and an Authorization header/);
  });

  it.each([
    ['a wrong accessToken', signedUrlRequest({ ...PLAIN, accessToken: 'not-the-right-token' })],
    [
      'another path',
      { ...signedUrlRequest(PLAIN), resource: signedUrlRequest(PLAIN).resource.replace('wt-1', 'wt-2') },
    ],
  ])('with %s is a bad mac', async (_name, request) => {
    await expectAuthFailure(h.authenticator, request, /^Bad mac/, ['not-the-right-token']);
  });

  it('rejects a bewit of an unknown client', async () => {
    const request = signedUrlRequest({ clientId: 'nobody', accessToken: 'nobody-access-token' });
    await expectAuthFailure(h.authenticator, request, /Unknown clientId "nobody"/, ['nobody-access-token']);
  });

  it('rejects a mangled bewit', async () => {
    const request = requestFor('https://tc.example.com/v1/worker-type/wt-1?bewit=bm90LWEtYmV3aXQ', 'GET');
    await expectAuthFailure(h.authenticator, request, /Invalid Hawk credentials: Invalid bewit structure/);
  });

  it('narrows scopes with authorizedScopes carried in the bewit ext', async () => {
    const request = signedUrlRequest(ISSUER, { authorizedScopes: ['queue:get-task'] });
    expect(await h.authenticator.authenticate(request)).toMatchObject({ scopes: ['queue:get-task'] });
  });
});
