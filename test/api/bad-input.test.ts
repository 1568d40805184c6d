import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyPairName } from '../../src/domain/key-pair-name.js';
import { slugid } from '../../src/slugid.js';
import { exampleDefinition } from '../fixtures/worker-types.js';
import { type ApiHarness, startApiHarness } from '../helpers/api-harness.js';
import { engines } from '../helpers/databases.js';

// Sign like taskcluster-client does, with the hawk it depends on.
const clientRequire = createRequire(createRequire(import.meta.url).resolve('taskcluster-client'));
const hawk = clientRequire('hawk') as {
  client: { header(uri: string, method: string, options: object): { header: string } };
};

interface Reply {
  status: number;
  body: { code?: string; message?: string } | undefined;
}

describe.each(engines())('bad input on every route on $name', (engine) => {
  let h: ApiHarness;
  const validToken = slugid();

  async function send(
    method: string,
    path: string,
    options: { body?: string; type?: string; signed?: boolean } = {},
  ) {
    const url = `${h.rootUrl}/api/aws-provisioner/v1${path}`;
    const headers: Record<string, string> = {};
    if (options.body !== undefined) headers['content-type'] = options.type ?? 'application/json';
    if (options.signed !== false) {
      const credentials = { id: 'root', key: h.clients.root.accessToken, algorithm: 'sha256' };
      headers.authorization = hawk.client.header(url, method, { credentials }).header;
    }
    const response = await fetch(url, {
      method,
      headers,
      ...(options.body !== undefined ? { body: options.body } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined } as Reply;
  }

  /** A clear refusal: 4xx, Taskcluster's body, a message naming the problem. */
  function expectRefusal(reply: Reply, status: number, code: string, mentions: string) {
    expect(reply.status).toBe(status);
    expect(reply.body?.code).toBe(code);
    expect(reply.body?.message).toContain(mentions);
  }

  beforeAll(async () => {
    h = await startApiHarness(engine);
  });
  afterAll(() => h.close());

  const badParams: [string, string, string][] = [
    ['PUT', '/worker-type/bad%20name', 'workerType'],
    ['POST', '/worker-type/bad%20name/update', 'workerType'],
    ['GET', '/worker-type/bad%20name', 'workerType'],
    ['DELETE', '/worker-type/bad%20name', 'workerType'],
    ['GET', `/worker-type/${'x'.repeat(39)}`, 'workerType'],
    ['GET', '/worker-type-last-modified/bad!', 'workerType'],
    ['GET', '/worker-type/bad!/launch-specifications', 'workerType'],
    ['GET', '/worker-type/bad!/versions', 'workerType'],
    ['GET', '/state/bad!', 'workerType'],
    ['PUT', '/secret/not-a-slugid', 'token'],
    ['GET', '/secret/not-a-slugid', 'token'],
    ['DELETE', '/secret/not-a-slugid', 'token'],
    ['GET', `/instance-started/i-xyz/${validToken}`, 'instanceId'],
    ['GET', '/instance-started/i-0123abcd/not-a-slugid', 'token'],
  ];
  it.each(badParams)('%s %s: 400 naming the parameter %s', async (method, path, param) => {
    const body = method === 'PUT' || method === 'POST' ? JSON.stringify({}) : undefined;
    expectRefusal(
      await send(method, path, body === undefined ? {} : { body }),
      400,
      'InvalidRequestArguments',
      param,
    );
  });

  const bodies: [string, string, string][] = [
    ['PUT', '/worker-type/wt-bad', 'create-worker-type-request'],
    ['POST', '/worker-type/wt-bad/update', 'create-worker-type-request'],
    ['PUT', `/secret/${validToken}`, 'create-secret-request'],
    ['POST', '/worker-type/wt-bad/rollback', 'rollback-worker-type-request'],
  ];
  it.each(bodies)(
    '%s %s: malformed JSON, non-JSON, scalars and oversize bodies are refused',
    async (method, path) => {
      expectRefusal(
        await send(method, path, { body: '{"bad": ' }),
        400,
        'MalformedPayload',
        'Failed to parse JSON',
      );
      expectRefusal(await send(method, path, { body: '42' }), 400, 'MalformedPayload', 'object or an array');
      expectRefusal(
        await send(method, path, { body: 'a=b', type: 'text/plain' }),
        400,
        'MalformedPayload',
        'application/json',
      );
      const huge = JSON.stringify({ description: 'x'.repeat(11 * 1024 * 1024) });
      expectRefusal(await send(method, path, { body: huge }), 413, 'InputTooLarge', 'larger than');
    },
  );

  it('names each schema problem in a worker type definition', async () => {
    const wrongTypes = { ...exampleDefinition(), maxCapacity: 'lots', regions: 'us-west-2', extra: true };
    const reply = await send('PUT', '/worker-type/wt-bad', { body: JSON.stringify(wrongTypes) });
    expectRefusal(reply, 400, 'InputValidationError', 'Schema Validation Failed');
    expect(reply.body?.message).toContain('/maxCapacity: must be number');
    expect(reply.body?.message).toContain('/regions: must be array');
    expect(reply.body?.message).toContain('unknown property "extra"');
    const nested = {
      ...exampleDefinition(),
      instanceTypes: [
        {
          instanceType: 'c5.large',
          capacity: 0,
          utility: 1,
          launchSpec: {},
          secrets: { x: 1 },
          userData: {},
          scopes: [],
        },
      ],
    };
    const nestedReply = await send('PUT', '/worker-type/wt-bad', { body: JSON.stringify(nested) });
    expect(nestedReply.body?.message).toContain('/instanceTypes/0/capacity');
    expect(nestedReply.body?.message).toContain('/instanceTypes/0/secrets');
  });

  it('refuses numbers too large to be finite (JSON parses 1e400 to Infinity), naming each', async () => {
    const definition = {
      ...exampleDefinition(),
      maxHourlySpend: 1,
      maxPrice: 2,
      instanceTypes: [{ ...exampleDefinition().instanceTypes[0], utility: 3 }],
    };
    const body = JSON.stringify(definition)
      .replace('"maxHourlySpend":1', '"maxHourlySpend":1e400')
      .replace('"maxPrice":2', '"maxPrice":-1e400')
      .replace('"utility":3', '"utility":1e999');
    expect(body).toContain('1e400');
    expect(body).toContain('1e999');
    for (const [method, path] of [
      ['PUT', '/worker-type/wt-bad'],
      ['POST', '/worker-type/wt-bad/update'],
    ] as const) {
      const reply = await send(method, path, { body });
      expectRefusal(reply, 400, 'InputValidationError', '/maxHourlySpend: must be a finite number');
      expect(reply.body?.message).toContain('/maxPrice: must be a finite number');
      expect(reply.body?.message).toContain('/instanceTypes/0/utility: must be a finite number');
    }
  });

  it('names launch-spec rule violations as InputError', async () => {
    const misplaced = { ...exampleDefinition(), launchSpec: { ImageId: 'ami-1', InstanceType: 'c5.large' } };
    const reply = await send('PUT', '/worker-type/wt-bad', { body: JSON.stringify(misplaced) });
    expectRefusal(reply, 400, 'InputError', 'ImageId');
    expect(reply.body?.message).toContain('InstanceType');
  });

  it('refuses secrets with wrong types or unknown fields, naming each', async () => {
    const secret = {
      workerType: 'wt',
      secrets: {},
      scopes: [],
      token: validToken,
      expiration: new Date().toISOString(),
    };
    const wrong = { ...secret, scopes: 'all', expiration: 'soon', more: 1 };
    const reply = await send('PUT', `/secret/${validToken}`, { body: JSON.stringify(wrong) });
    expectRefusal(reply, 400, 'InputValidationError', '/scopes');
    expect(reply.body?.message).toContain('/expiration');
  });

  it('answers unknown routes with a Taskcluster 404 and never echoes tokens', async () => {
    expectRefusal(await send('GET', '/no-such-route'), 404, 'ResourceNotFound', 'No such route');
    const reply = await send('GET', `/secret/${validToken}`);
    expect(reply.status).toBe(404);
    expect(JSON.stringify(reply.body)).not.toContain(validToken);
  });

  it('refuses what the database cannot store (NUL, lone surrogates, deep nesting), naming where, before any key pair', async () => {
    const cases: [string, string][] = [
      [
        JSON.stringify({ ...exampleDefinition(), description: 'a\u0000b' }),
        '/description: must not contain the NUL',
      ],
      [
        JSON.stringify({ ...exampleDefinition(), userData: { 'k\u0000': 1 } }),
        '/userData/k\\u0000 (the property name): must not contain the NUL',
      ],
      [
        JSON.stringify({ ...exampleDefinition(), owner: 'x' }).replace('"owner":"x"', '"owner":"\\ud800"'),
        '/owner: must not contain an unpaired UTF-16 surrogate',
      ],
      [
        JSON.stringify({ ...exampleDefinition(), userData: { deep: 'X' } }).replace(
          '"X"',
          `${'['.repeat(5000)}${']'.repeat(5000)}`,
        ),
        '/userData/deep/0/0',
      ],
    ];
    for (const [body, mentions] of cases) {
      for (const [method, path] of [
        ['PUT', '/worker-type/wt-nul'],
        ['POST', '/worker-type/wt-nul/update'],
      ] as const) {
        expectRefusal(await send(method, path, { body }), 400, 'InputValidationError', mentions);
      }
    }
    const keyName = keyPairName(h.config.awsKeyPrefix, 'wt-nul', h.config.awsInstancePubkey);
    expect(h.world.region('us-west-2').keyPairs.get(keyName)).toBeUndefined();
  });

  it.each([
    ['a leap second', '2016-12-31T23:59:60Z'],
    ['year 0000', '0000-01-01T00:00:00Z'],
  ])(
    'refuses a secret expiring at %s, a time the service cannot hold, with a 400',
    async (_name, expiration) => {
      const secret = { workerType: 'wt', secrets: {}, scopes: [], token: validToken, expiration };
      const reply = await send('PUT', `/secret/${validToken}`, { body: JSON.stringify(secret) });
      expectRefusal(reply, 400, 'InputValidationError', '/expiration: must match format "date-time"');
    },
  );

  it('refuses a history query from year 0000 with a 400', async () => {
    const url = `${h.rootUrl}/api/aws-provisioner/v1/admin/worker-type/wt/history?since=0000-01-01T00:00:00Z`;
    const response = await fetch(url);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toContain('since is not a valid time');
  });

  it('answers router errors in Taskcluster shape without echoing the URL', async () => {
    const long = await send('GET', `/worker-type/${'y'.repeat(1200)}`);
    expectRefusal(long, 400, 'InvalidRequestArguments', 'longer than 1000 characters');
    expect(JSON.stringify(long.body)).not.toContain('yyyy');
    const badEncoding = await send('GET', `/secret/${validToken}%E0%A4%A`);
    expectRefusal(badEncoding, 400, 'InvalidRequestArguments', 'not valid');
    expect(JSON.stringify(badEncoding.body)).not.toContain(validToken);
  });

  it('has no HEAD for getSecret, which would redeem the secret unseen', async () => {
    const token = slugid();
    const expiration = new Date(Date.now() + 600_000).toISOString();
    await h.runtime.secretStore.create(
      { token, workerType: 'wt', secrets: {}, scopes: [], expiration: new Date(expiration) },
      new Date(),
    );
    const head = await fetch(`${h.rootUrl}/api/aws-provisioner/v1/secret/${token}`, { method: 'HEAD' });
    expect(head.status).toBe(404);
    const ping = await fetch(`${h.rootUrl}/api/aws-provisioner/v1/ping`, { method: 'HEAD' });
    expect(ping.status).toBe(200);
    expect((await h.runtime.secretStore.redeem(token, new Date()))?.workerType).toBe('wt');
    await h.test.db.query('DELETE FROM secrets WHERE token = $1', [token]);
  });

  it('left nothing half-written behind', async () => {
    expect(await h.runtime.workerTypeStore.names()).toEqual([]);
    const [versions] = await h.test.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM worker_type_versions',
    );
    const [events] = await h.test.db.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox');
    const [secrets] = await h.test.db.query<{ n: number }>('SELECT count(*)::int AS n FROM secrets');
    expect([versions?.n, events?.n, secrets?.n]).toEqual([0, 0, 0]);
  });
});
