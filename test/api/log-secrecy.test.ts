import { Writable } from 'node:stream';
import taskcluster from 'taskcluster-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/logger.js';
import { slugid } from '../../src/slugid.js';
import { exampleDefinition } from '../fixtures/worker-types.js';
import { type ApiHarness, startApiHarness } from '../helpers/api-harness.js';
import { engines } from '../helpers/databases.js';

const [pglite] = engines();

describe('logs never contain credentials or secrets', () => {
  let h: ApiHarness;
  const lines: string[] = [];

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    h = await startApiHarness(pglite as NonNullable<typeof pglite>, { logger: createLogger('trace', sink) });
  });
  afterAll(() => h.close());

  it('while a worker type, a secret and worker credentials go through the API', async () => {
    const api = (credentials?: { clientId: string; accessToken: string }) =>
      new taskcluster.AwsProvisioner({
        rootUrl: h.rootUrl,
        retries: 0,
        ...(credentials ? { credentials } : {}),
      });
    const root = api(h.clients.root);
    await root.createWorkerType('wt-logs', {
      ...exampleDefinition(),
      regions: [
        {
          region: 'us-west-2',
          launchSpec: { ImageId: h.imageId('us-west-2') },
          secrets: {},
          userData: {},
          scopes: [],
        },
      ],
    });
    const token = slugid();
    const secretValue = `s3cret-${slugid()}`;
    await root.createSecret(token, {
      workerType: 'wt-logs',
      secrets: { password: secretValue },
      scopes: [],
      token,
      expiration: new Date(Date.now() + 60_000).toISOString(),
    });
    await api().instanceStarted('i-0123abcd', token);
    const { credentials } = await api().getSecret(token);
    await api()
      .getSecret(token)
      .catch(() => {});
    await api({ clientId: 'root', accessToken: 'wrong-token-value-123' })
      .removeWorkerType('wt-logs')
      .catch(() => {});
    await api(credentials)
      .removeWorkerType('wt-logs')
      .catch(() => {});
    const signedUrl = api(h.clients.root).buildSignedUrl(api().workerType, 'wt-logs');
    await fetch(signedUrl);
    const bewit = new URL(signedUrl).searchParams.get('bewit') ?? '';
    const launchSpecs = await api().getLaunchSpecs('wt-logs');
    const previewToken = launchSpecs['us-west-2']['c5.xlarge'].securityToken as string;

    const output = lines.join('');
    expect(output).toContain('http.request');
    const certificate = JSON.parse(credentials.certificate);
    for (const secret of [
      h.clients.root.accessToken,
      h.clients.provisioner.accessToken,
      'wrong-token-value-123',
      token,
      secretValue,
      credentials.accessToken,
      certificate.signature,
      certificate.seed,
      bewit,
      previewToken,
    ]) {
      expect(output).not.toContain(secret);
    }
  });
});
