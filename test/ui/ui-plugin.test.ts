import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import { type UiPluginOptions, uiPlugin } from '../../src/api/ui-plugin.js';
import { RealClock } from '../../src/clock/clock.js';
import { createLogger } from '../../src/log/logger.js';

async function appWith(options: UiPluginOptions): Promise<FastifyInstance> {
  return buildApp({
    methods: [],
    authenticator: { authenticate: async () => ({ kind: 'anonymous', scopes: [] }) },
    clock: new RealClock(),
    logger: createLogger('silent'),
    trustProxy: false,
    plugins: [uiPlugin(options)],
  });
}

describe('the UI plugin', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'ui-plugin-'));
    await mkdir(join(root, 'assets'));
    await writeFile(join(root, 'index.html'), '<!doctype html><title>UI</title>');
    await writeFile(join(root, 'assets', 'index-abc123.js'), 'console.log(1)');
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('serves the built index at / and its hashed assets as immutable, with a content security policy', async () => {
    const app = await appWith({ root });
    const index = await app.inject({ url: '/' });
    expect(index.statusCode).toBe(200);
    expect(index.headers['content-type']).toMatch(/text\/html/);
    expect(index.body).toContain('<title>UI</title>');
    expect(index.headers['content-security-policy']).toContain("default-src 'self'");
    const asset = await app.inject({ url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    await app.close();
  });

  it("keeps the API's JSON 404 for paths that are not files of the UI", async () => {
    const app = await appWith({ root });
    const missing = await app.inject({ url: '/assets/nope.js' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'ResourceNotFound' });
    await app.close();
  });

  it('offers sandbox credentials only when given them', async () => {
    const credentials = { clientId: 'root', accessToken: 'sandbox-token' };
    const sandbox = await appWith({ root, sandboxCredentials: credentials });
    const offered = await sandbox.inject({ url: '/ui/sandbox-credentials' });
    expect(offered.json()).toEqual(credentials);
    expect(offered.headers['cache-control']).toContain('no-store');
    // Readable by the UI's own page only, not by any other site's script.
    expect(offered.headers['access-control-allow-origin']).toBeUndefined();
    expect(
      (await sandbox.inject({ url: '/api/aws-provisioner/v1/ping' })).headers['access-control-allow-origin'],
    ).toBe('*');
    await sandbox.close();
    const server = await appWith({ root });
    expect((await server.inject({ url: '/ui/sandbox-credentials' })).statusCode).toBe(404);
    await server.close();
  });

  it('says how to build the UI when it is not built', async () => {
    const app = await appWith({ root: join(root, 'missing') });
    const reply = await app.inject({ url: '/' });
    expect(reply.statusCode).toBe(503);
    expect(reply.body).toContain('npm run build:ui');
    await app.close();
  });
});
