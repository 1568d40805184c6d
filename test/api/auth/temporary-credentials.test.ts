import { createHmac } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { certificateSignature, temporaryAccessToken } from '../../../src/api/auth/temporary-credentials.js';
import type { StaticClient } from '../../../src/config/config.js';
import { expectAuthFailure, type Harness, harness, ISSUER, NO_CREATE, PLAIN } from './fixtures.js';
import { signedRequest, signedUrlRequest, type TcCredentials, taskcluster } from './signing-client.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const WT_SCOPE = 'aws-provisioner:manage-worker-type:wt-1';

interface Cert {
  version: number;
  scopes: string[];
  start: number;
  expiry: number;
  seed: string;
  signature: string;
  issuer?: string;
  clientId?: string;
}

let h: Harness;

beforeEach(() => {
  h = harness();
});

/** Temporary credentials minted by taskcluster-client itself. */
function mint(
  issuer: Pick<StaticClient, 'clientId' | 'accessToken'>,
  options: { scopes?: string[]; startIn?: number; lasts?: number; clientId?: string } = {},
) {
  const start = new Date(h.clock.now() + (options.startIn ?? 0));
  return taskcluster.createTemporaryCredentials({
    credentials: { clientId: issuer.clientId, accessToken: issuer.accessToken },
    scopes: options.scopes ?? [WT_SCOPE],
    start,
    expiry: new Date(start.getTime() + (options.lasts ?? 60 * MINUTE)),
    ...(options.clientId === undefined ? {} : { clientId: options.clientId }),
  });
}

function certOf(credentials: TcCredentials): Cert {
  return JSON.parse(credentials.certificate as string) as Cert;
}

/** What no message may quote for these credentials. */
function secretsOf(credentials: TcCredentials): string[] {
  const cert = certOf(credentials);
  return [credentials.accessToken, cert.signature, cert.seed];
}

/**
 * Signs a certificate the way taskcluster-client does, for certificates the client refuses to mint
 * (too long, odd fields): written out here so the test does not rely on the code under test.
 */
function forge(issuer: StaticClient, fields: Omit<Cert, 'signature' | 'seed' | 'version'>, name?: string) {
  const cert: Cert = { version: 1, seed: 'x'.repeat(44), signature: '', ...fields };
  const lines = ['version:1'];
  if (cert.issuer !== undefined) lines.push(`clientId:${name}`, `issuer:${cert.issuer}`);
  lines.push(`seed:${cert.seed}`, `start:${cert.start}`, `expiry:${cert.expiry}`, 'scopes:', ...cert.scopes);
  cert.signature = createHmac('sha256', issuer.accessToken).update(lines.join('\n')).digest('base64');
  const accessToken = createHmac('sha256', issuer.accessToken).update(cert.seed).digest('base64url');
  return { clientId: name ?? issuer.clientId, accessToken, certificate: JSON.stringify(cert) };
}

describe('signature and token derivation', () => {
  it.each([
    ['unnamed', undefined],
    ['named', 'named/worker-1'],
  ])('match taskcluster-client for %s credentials', (_name, clientId) => {
    const credentials = mint(ISSUER, { scopes: ['a', 'b:*'], ...(clientId ? { clientId } : {}) });
    const cert = certOf(credentials);
    const signature = certificateSignature(ISSUER.accessToken, cert, credentials.clientId);
    expect(signature).toBe(cert.signature);
    expect(temporaryAccessToken(ISSUER.accessToken, cert.seed)).toBe(credentials.accessToken);
  });
});

describe('temporary credentials', () => {
  it('unnamed: the Hawk id is the issuer, the scopes and expiry are the certificate’s', async () => {
    const credentials = mint(ISSUER, { scopes: [WT_SCOPE, 'queue:get-task'] });
    expect(await h.authenticator.authenticate(signedRequest(credentials))).toEqual({
      kind: 'authenticated',
      clientId: 'issuer',
      scopes: [WT_SCOPE, 'queue:get-task'],
      expires: certOf(credentials).expiry,
    });
  });

  it('named: the Hawk id is the new clientId', async () => {
    const credentials = mint(ISSUER, { clientId: 'named/worker-1' });
    expect(await h.authenticator.authenticate(signedRequest(credentials))).toMatchObject({
      clientId: 'named/worker-1',
      scopes: [WT_SCOPE],
    });
  });

  it('accepts the certificate as a JSON string inside ext, not only as an object', async () => {
    const credentials = mint(ISSUER, { clientId: 'named/worker-2' });
    const ext = Buffer.from(JSON.stringify({ certificate: credentials.certificate })).toString('base64');
    expect(await h.authenticator.authenticate(signedRequest(credentials, { ext }))).toMatchObject({
      clientId: 'named/worker-2',
    });
  });

  it('works in a bewit URL', async () => {
    const credentials = mint(ISSUER, { clientId: 'named/worker-3' });
    expect(await h.authenticator.authenticate(signedUrlRequest(credentials))).toMatchObject({
      clientId: 'named/worker-3',
      scopes: [WT_SCOPE],
    });
  });

  it.each([
    ['expired 4 min ago (within the 5 min slack)', { startIn: -64 * MINUTE }],
    ['starting in 4 min (within the 5 min slack)', { startIn: 4 * MINUTE }],
    ['lasting exactly 31 days', { startIn: -MINUTE, lasts: 31 * DAY }],
  ])('are accepted when %s', async (_name, options) => {
    const result = await h.authenticator.authenticate(signedRequest(mint(ISSUER, options)));
    expect(result.kind).toBe('authenticated');
  });

  it.each([
    ['expired 6 min ago', () => mint(ISSUER, { startIn: -66 * MINUTE }), /certificate has expired/],
    ['starting in 6 min', () => mint(ISSUER, { startIn: 6 * MINUTE }), /certificate is not valid yet/],
    [
      'issued by a client lacking the scopes',
      () => mint(ISSUER, { scopes: ['secrets:get:x'] }),
      /"issuer" does not have all/,
    ],
    [
      'named without auth:create-client:<clientId>',
      () => mint(NO_CREATE, { clientId: 'named/worker-1' }),
      /"no-create" does not have the scope "auth:create-client:named\/worker-1"/,
    ],
    [
      'named outside the issuer’s auth:create-client:',
      () => mint(ISSUER, { clientId: 'other/worker-1' }),
      /auth:create-client:other\/worker-1/,
    ],
    [
      'issued by an unknown client',
      () => mint({ clientId: 'ghost', accessToken: 'ghost-access-token' }, { clientId: 'named/x' }),
      /Unknown issuer "ghost" of the temporary credentials for clientId "named\/x"/,
    ],
  ])('are rejected when %s', async (_name, mintCredentials, message) => {
    const credentials = mintCredentials();
    await expectAuthFailure(h.authenticator, signedRequest(credentials), message, secretsOf(credentials));
  });

  it('are rejected when they last longer than 31 days', async () => {
    const start = h.clock.now() - MINUTE;
    const credentials = forge(ISSUER, { scopes: [WT_SCOPE], start, expiry: start + 31 * DAY + 1 });
    await expectAuthFailure(
      h.authenticator,
      signedRequest(credentials),
      /longer than 31 days/,
      secretsOf(credentials),
    );
  });

  it.each<[string, (cert: Cert) => void]>([
    ['scopes', (cert) => cert.scopes.push('queue:*')],
    ['expiry', (cert) => (cert.expiry += DAY)],
    ['start', (cert) => (cert.start -= MINUTE)],
    ['seed', (cert) => (cert.seed = `${cert.seed.slice(0, 43)}${cert.seed.endsWith('A') ? 'B' : 'A'}`)],
  ])('are rejected when the certificate %s was tampered with', async (_name, tamper) => {
    const credentials = mint(ISSUER);
    const cert = certOf(credentials);
    tamper(cert);
    const tampered = { ...credentials, certificate: JSON.stringify(cert) };
    await expectAuthFailure(
      h.authenticator,
      signedRequest(tampered),
      /^ext\.certificate\.signature is not valid$/,
      [...secretsOf(credentials), cert.seed],
    );
  });

  it('are rejected when named credentials are presented under another clientId', async () => {
    const credentials = mint(ISSUER, { clientId: 'named/a' });
    const renamed = { ...credentials, clientId: 'named/b' };
    await expectAuthFailure(
      h.authenticator,
      signedRequest(renamed),
      /signature is not valid, or the wrong clientId/,
      [...secretsOf(credentials)],
    );
  });

  it('are rejected when unnamed credentials are presented under another client', async () => {
    const credentials = { ...mint(ISSUER, { scopes: [] }), clientId: 'plain' };
    await expectAuthFailure(
      h.authenticator,
      signedRequest(credentials),
      /signature is not valid$/,
      secretsOf(credentials),
    );
  });

  it('are rejected when signed with the issuer’s own token instead of the temporary one', async () => {
    const credentials = { ...mint(ISSUER), accessToken: ISSUER.accessToken };
    await expectAuthFailure(h.authenticator, signedRequest(credentials), /^Bad mac/, secretsOf(credentials));
  });

  it('are rejected when the issuer is the Hawk id itself', async () => {
    const start = h.clock.now();
    const credentials = forge(
      ISSUER,
      { scopes: [], start, expiry: start + MINUTE, issuer: 'issuer' },
      'issuer',
    );
    await expectAuthFailure(
      h.authenticator,
      signedRequest(credentials),
      /issuer must differ/,
      secretsOf(credentials),
    );
  });

  it('are rejected when unnamed certificates carry a clientId', async () => {
    const start = h.clock.now();
    const credentials = forge(ISSUER, { scopes: [], start, expiry: start + MINUTE, clientId: 'x' });
    await expectAuthFailure(
      h.authenticator,
      signedRequest(credentials),
      /clientId must only be used with ext\.certificate\.issuer/,
      secretsOf(credentials),
    );
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['version 2', { version: 2 }, /version must be 1/],
    ['a short seed', { seed: 'short-seed' }, /seed must be a 44-character string/],
    ['a string start', { start: 'yesterday' }, /start must be a number/],
    ['no expiry', { expiry: undefined }, /expiry must be a number/],
    ['scopes that are not a list', { scopes: 'a' }, /scopes must be an array/],
    ['a scope with a newline', { scopes: ['a\nb'] }, /printable-ASCII/],
    ['no signature', { signature: undefined }, /signature must be a string/],
    ['a numeric issuer', { issuer: 7 }, /issuer must be a non-empty string/],
  ])('are rejected when the certificate has %s', async (_name, change, message) => {
    const credentials = mint(ISSUER);
    const certificate = JSON.stringify({ ...certOf(credentials), ...change });
    const request = signedRequest({ ...credentials, certificate });
    await expectAuthFailure(h.authenticator, request, message, secretsOf(credentials));
  });
});

describe('authorizedScopes', () => {
  it.each([
    ['to one held scope', ISSUER, [WT_SCOPE]],
    ['through a held star scope', ISSUER, ['queue:create-task:x/y']],
    ['to nothing', PLAIN, []],
    ['to exactly what is held', PLAIN, PLAIN.scopes],
  ])('narrow a client %s, replacing its scopes', async (_name, client, authorizedScopes) => {
    const result = await h.authenticator.authenticate(signedRequest(client, { authorizedScopes }));
    expect(result).toEqual({ kind: 'authenticated', clientId: client.clientId, scopes: authorizedScopes });
  });

  it('fail when asking for more than the client holds, naming what is missing', async () => {
    const request = signedRequest(PLAIN, { authorizedScopes: [WT_SCOPE, 'aws-provisioner:*'] });
    const error = await expectAuthFailure(h.authenticator, request, /do not satisfy authorizedScopes/);
    expect(error.message).toContain('not held:\n\n```\naws-provisioner:*\n```');
  });

  it('narrow temporary credentials further', async () => {
    const credentials = mint(ISSUER, { scopes: [WT_SCOPE, 'queue:get-task'] });
    const result = await h.authenticator.authenticate(
      signedRequest(credentials, { authorizedScopes: ['queue:get-task'] }),
    );
    expect(result).toMatchObject({
      clientId: 'issuer',
      scopes: ['queue:get-task'],
      expires: certOf(credentials).expiry,
    });
  });

  it('cannot reach past the certificate back to the issuer’s scopes', async () => {
    const credentials = mint(ISSUER, { scopes: [WT_SCOPE] });
    const request = signedRequest(credentials, { authorizedScopes: ['queue:get-task'] });
    await expectAuthFailure(
      h.authenticator,
      request,
      /do not satisfy authorizedScopes/,
      secretsOf(credentials),
    );
  });

  it.each<[string, unknown, RegExp]>([
    ['a string', 'queue:*', /authorizedScopes must be an array$/],
    ['a non-ASCII scope', ['queue:\u00e9'], /authorizedScopes must be an array of printable-ASCII scopes/],
  ])('must be a list of scopes, not %s', async (_name, authorizedScopes, message) => {
    const ext = Buffer.from(JSON.stringify({ authorizedScopes })).toString('base64');
    await expectAuthFailure(h.authenticator, signedRequest(PLAIN, { ext }), message);
  });
});
