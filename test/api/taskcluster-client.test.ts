import { createHmac } from 'node:crypto';
import taskcluster, { type TaskclusterCredentials } from 'taskcluster-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { slugid } from '../../src/slugid.js';
import { exampleDefinition } from '../fixtures/worker-types.js';
import { type ApiHarness, PROVISIONER_ID, startApiHarness } from '../helpers/api-harness.js';
import { engines } from '../helpers/databases.js';

interface ClientError {
  statusCode: number;
  code: string;
  message: string;
}

/** The rejection of `promise`, as taskcluster-client reports it. */
async function failure(promise: Promise<unknown>): Promise<ClientError> {
  try {
    await promise;
  } catch (error) {
    return error as ClientError;
  }
  throw new Error('expected the call to fail');
}

describe.each(engines())('the v1 API through taskcluster-client 16.2.0 on $name', (engine) => {
  let h: ApiHarness;
  const api = (credentials?: TaskclusterCredentials, authorizedScopes?: string[]) =>
    new taskcluster.AwsProvisioner({
      rootUrl: h.rootUrl,
      retries: 0,
      ...(credentials ? { credentials } : {}),
      ...(authorizedScopes ? { authorizedScopes } : {}),
    });
  const definition = () =>
    exampleDefinition({
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
  const root = () => api(h.clients.root);

  /** What the loop's launcher writes: a launch, and its secret under the launch's client token. */
  async function launchSecret(workerType: string, region: string, instanceType: string): Promise<string> {
    const token = slugid();
    const clientToken = slugid();
    const now = new Date();
    await h.test.db.transaction(async (tx) => {
      const request = { region, clientToken, market: 'spot' as const, tags: {}, launchSpec: {} };
      const launch = { clientToken, workerType, region, zone: `${region}a`, instanceType, market: 'spot' };
      const priced = { ...launch, maxPrice: 1, hourlyPrice: 0.1, capacity: 1, request: request as never };
      await h.runtime.launchStore.record(tx, [priced], now);
      const expiration = new Date(now.getTime() + 600_000);
      const secret = { token, launchToken: clientToken, workerType, secrets: {}, scopes: [], expiration };
      await h.runtime.secretStore.insert(tx, [secret], now);
    });
    return token;
  }

  beforeAll(async () => {
    h = await startApiHarness(engine);
  });
  afterAll(() => h.close());

  it('answers ping, lists nothing yet, and reports the loop as pending', async () => {
    expect(await api().ping()).toMatchObject({ alive: true });
    expect(await api().listWorkerTypes()).toEqual([]);
    expect(await api().backendStatus()).toMatchObject({ status: 'pending', lastCheckedIn: null });
  });

  it('creates a worker type, idempotently, and refuses a different definition with 409', async () => {
    const created = await root().createWorkerType('wt-create', definition());
    expect(created).toMatchObject({
      workerType: 'wt-create',
      maxCapacity: 20,
      canUseSpot: true,
      canUseOndemand: false,
    });
    expect(Date.parse(created.lastModified)).not.toBeNaN();
    const again = await root().createWorkerType('wt-create', definition());
    expect(again.lastModified).toBe(created.lastModified);
    const conflict = await failure(root().createWorkerType('wt-create', { ...definition(), maxCapacity: 5 }));
    expect(conflict).toMatchObject({ statusCode: 409, code: 'RequestConflict' });
    expect(await api().workerType('wt-create')).toEqual(created);
  });

  it('applies the defaults of the definition and ensures the key pair in each region', async () => {
    const {
      minCapacity: _min,
      canUseOndemand: _od,
      canUseSpot: _spot,
      availabilityZones: _az,
      ...minimal
    } = definition();
    const created = await root().createWorkerType('wt-defaults', minimal);
    expect(created).toMatchObject({
      minCapacity: 0,
      canUseSpot: true,
      canUseOndemand: false,
      availabilityZones: [],
    });
    expect(h.world.region('us-west-2').keyPairs.get('test-provisioner-managed:wt-defaults')).toBeDefined();
  });

  it('answers 403 without credentials, 401 for bad ones, and checks scopes per worker type', async () => {
    expect(await failure(api().createWorkerType('wt-anon', definition()))).toMatchObject({
      statusCode: 403,
      code: 'InsufficientScopes',
    });
    const wrongToken = { clientId: 'root', accessToken: 'not-the-token-at-all' };
    expect(await failure(api(wrongToken).createWorkerType('wt-bad', definition()))).toMatchObject({
      statusCode: 401,
      code: 'AuthenticationFailed',
    });
    const limited = api(h.clients.limited);
    expect(await failure(limited.createWorkerType('other', definition()))).toMatchObject({ statusCode: 403 });
    expect(await limited.createWorkerType('limited-ok', definition())).toMatchObject({
      workerType: 'limited-ok',
    });
    expect(await failure(limited.removeWorkerType('wt-create'))).toMatchObject({ statusCode: 403 });
  });

  it('refuses to let a caller grant scopes it does not hold (no privilege escalation)', async () => {
    const escalating = { ...definition(), scopes: ['queue:create-task:*'] };
    const error = await failure(api(h.clients.limited).createWorkerType('limited-escalate', escalating));
    expect(error).toMatchObject({ statusCode: 403, code: 'InsufficientScopes' });
    expect(error.message).toContain('queue:create-task:*');
    expect(await failure(api().workerType('limited-escalate'))).toMatchObject({ statusCode: 404 });
  });

  it('accepts temporary credentials, named and unnamed, and authorizedScopes', async () => {
    const now = new Date();
    const expiry = new Date(now.getTime() + 3_600_000);
    const unnamed = taskcluster.createTemporaryCredentials({
      start: now,
      expiry,
      scopes: ['aws-provisioner:manage-worker-type:temp-*'],
      credentials: h.clients.root,
    });
    expect(await api(unnamed).createWorkerType('temp-unnamed', definition())).toMatchObject({
      workerType: 'temp-unnamed',
    });
    expect(await failure(api(unnamed).createWorkerType('not-temp', definition()))).toMatchObject({
      statusCode: 403,
    });
    const named = taskcluster.createTemporaryCredentials({
      clientId: 'named-temp',
      start: now,
      expiry,
      scopes: ['aws-provisioner:manage-worker-type:temp-*'],
      credentials: h.clients.root,
    });
    expect(await api(named).createWorkerType('temp-named', definition())).toMatchObject({
      workerType: 'temp-named',
    });
    const narrowed = api(h.clients.root, ['aws-provisioner:manage-worker-type:narrow-*']);
    expect(await narrowed.createWorkerType('narrow-ok', definition())).toMatchObject({
      workerType: 'narrow-ok',
    });
    expect(await failure(narrowed.createWorkerType('wide-no', definition()))).toMatchObject({
      statusCode: 403,
    });
    const tooWide = api(h.clients.limited, ['*']);
    expect(await failure(tooWide.createWorkerType('limited-wide', definition()))).toMatchObject({
      statusCode: 401,
    });
  });

  it('reads worker types: get, last modified, list, summaries, launch specs, state', async () => {
    await root().createWorkerType('wt-read', definition());
    const stored = await api().workerType('wt-read');
    expect(await api().workerTypeLastModified('wt-read')).toEqual({
      workerType: 'wt-read',
      lastModified: stored.lastModified,
    });
    expect(await api().listWorkerTypes()).toContain('wt-read');
    const summaries = await api().listWorkerTypeSummaries();
    expect(summaries.find((s: { workerType: string }) => s.workerType === 'wt-read')).toEqual({
      workerType: 'wt-read',
      minCapacity: 0,
      maxCapacity: 20,
      requestedCapacity: 0,
      pendingCapacity: 0,
      runningCapacity: 0,
    });
    const specs = await api().getLaunchSpecs('wt-read');
    const info = specs['us-west-2']['c5.xlarge'];
    expect(info.launchSpec).toMatchObject({ ImageId: h.imageId('us-west-2'), InstanceType: 'c5.xlarge' });
    expect(JSON.parse(Buffer.from(info.launchSpec.UserData, 'base64').toString())).toMatchObject({
      workerType: 'wt-read',
      provisionerId: PROVISIONER_ID,
      provisionerBaseUrl: `${h.rootUrl}/v1`,
      capacity: 1,
      securityToken: info.securityToken,
    });
    expect(await api().state('wt-read')).toMatchObject({
      workerType: 'wt-read',
      instances: [],
      requests: [],
    });
  });

  it('updates a worker type, bumping lastModified, and answers 404 for an unknown one', async () => {
    const created = await root().createWorkerType('wt-update', definition());
    const { workerType: _n, lastModified: _l, ...body } = created;
    const updated = await root().updateWorkerType('wt-update', { ...body, maxCapacity: 15 });
    expect(updated.maxCapacity).toBe(15);
    expect(Date.parse(updated.lastModified)).toBeGreaterThanOrEqual(Date.parse(created.lastModified));
    expect((await api().workerType('wt-update')).maxCapacity).toBe(15);
    expect(await failure(root().updateWorkerType('wt-missing', body))).toMatchObject({
      statusCode: 404,
      code: 'ResourceNotFound',
    });
  });

  it('refuses definitions EC2 cannot launch, naming what is missing, and stores nothing', async () => {
    const missingAmi = {
      ...definition(),
      regions: [{ ...definition().regions[0], launchSpec: { ImageId: 'ami-00000000000000000' } }],
    };
    const amiError = await failure(root().createWorkerType('wt-no-ami', missingAmi));
    expect(amiError).toMatchObject({ statusCode: 400, code: 'InputError' });
    expect(amiError.message).toContain('ami-00000000000000000 not found in us-west-2');
    const missingGroup = { ...definition(), launchSpec: { SecurityGroups: ['no-such-group'] } };
    expect((await failure(root().createWorkerType('wt-no-sg', missingGroup))).message).toContain(
      'no-such-group',
    );
    const badRegion = {
      ...definition(),
      regions: [{ ...definition().regions[0], region: 'ap-south-1' }],
    };
    expect((await failure(root().createWorkerType('wt-region', badRegion))).message).toContain(
      'allowed regions',
    );
    for (const name of ['wt-no-ami', 'wt-no-sg', 'wt-region']) {
      expect(await failure(api().workerType(name))).toMatchObject({ statusCode: 404 });
    }
  });

  it('removes idempotently; the worker type is then gone but its cleanup shows in state', async () => {
    await root().createWorkerType('wt-remove', definition());
    expect(await root().removeWorkerType('wt-remove')).toBeUndefined();
    expect(await root().removeWorkerType('wt-remove')).toBeUndefined();
    expect(await failure(api().workerType('wt-remove'))).toMatchObject({
      statusCode: 404,
      code: 'ResourceNotFound',
    });
    expect(await api().state('wt-remove')).toMatchObject({
      workerType: 'wt-remove',
      removal: expect.any(Object),
    });
    expect(await failure(api().state('never-existed'))).toMatchObject({
      statusCode: 404,
      code: 'ResourceNotFound',
    });
  });

  it('keeps every version and rolls back, through a client built from the served reference', async () => {
    const reference = await (await fetch(`${h.rootUrl}/references/aws-provisioner/v1/api.json`)).json();
    const Extended = taskcluster.createClient(reference);
    const extended = (credentials?: TaskclusterCredentials) =>
      new Extended({ rootUrl: h.rootUrl, retries: 0, ...(credentials ? { credentials } : {}) });
    const created = await root().createWorkerType('wt-history', definition());
    const { workerType: _n, lastModified: _l, ...body } = created;
    await root().updateWorkerType('wt-history', { ...body, maxCapacity: 3 });
    const history = await extended().workerTypeVersions('wt-history');
    expect(
      history.versions.map((v: { action: string; changedBy: string }) => [v.action, v.changedBy]),
    ).toEqual([
      ['create', 'root'],
      ['update', 'root'],
    ]);
    const restored = await extended(h.clients.root).rollbackWorkerType('wt-history', { version: 1 });
    expect(restored.maxCapacity).toBe(20);
  });

  it('serves single-use, expiring secrets and tracks check-ins', async () => {
    const token = slugid();
    const expiration = new Date(Date.now() + 600_000).toISOString();
    const secret = {
      workerType: 'limited-sec',
      secrets: { password: 'p4ss' },
      scopes: ['a'],
      token,
      expiration,
    };
    expect(await api(h.clients.limited).createSecret(token, secret)).toEqual({ outcome: 'success' });
    expect(await api(h.clients.limited).createSecret(token, secret)).toEqual({ outcome: 'success' });
    expect(
      await failure(api(h.clients.limited).createSecret(token, { ...secret, scopes: ['b'] })),
    ).toMatchObject({
      statusCode: 409,
    });
    expect(await failure(api().createSecret(slugid(), { ...secret, token: slugid() }))).toMatchObject({
      statusCode: 403,
    });
    // As the original (§B.8): a body token other than the URL's is stored under the URL's token; against
    // an existing secret, it is a conflict.
    const urlToken = slugid();
    const other = { ...secret, token: slugid() };
    expect(await api(h.clients.limited).createSecret(urlToken, other)).toEqual({ outcome: 'success' });
    expect(await failure(api(h.clients.limited).createSecret(urlToken, other))).toMatchObject({
      statusCode: 409,
    });
    expect(await api(h.clients.limited).createSecret(urlToken, { ...other, token: urlToken })).toEqual({
      outcome: 'success',
    });
    expect(await api().instanceStarted('i-0123456789abcdef0', token)).toBeUndefined();
    const redeemed = await api().getSecret(token);
    expect(redeemed).toMatchObject({ data: { password: 'p4ss' }, scopes: ['a'] });
    expect(await failure(api().getSecret(token))).toMatchObject({
      statusCode: 404,
      code: 'ResourceNotFound',
    });
    expect(await api().instanceStarted('i-0123abcd', token)).toBeUndefined();
    expect(await api().removeSecret(token)).toBeUndefined();
    expect(await api().removeSecret(token)).toBeUndefined();
    expect(await failure(api().instanceStarted('i-0123abcd', slugid()))).toMatchObject({ statusCode: 404 });
    const expired = slugid();
    await api(h.clients.limited).createSecret(expired, {
      ...secret,
      token: expired,
      expiration: new Date(Date.now() - 1000).toISOString(),
    });
    expect(await failure(api().getSecret(expired))).toMatchObject({ statusCode: 404 });
    expect(await failure(api().getSecret(slugid()))).toMatchObject({ statusCode: 404 });
  });

  it('hands workers credentials signed by the provisioner, with the worker type scopes, that the API accepts', async () => {
    await root().createWorkerType('wt-creds', { ...definition(), scopes: ['queue:claim-work:test/*'] });
    const token = await launchSecret('wt-creds', 'us-west-2', 'c5.xlarge');
    const { credentials } = await api().getSecret(token);
    expect(credentials.clientId).toBe(h.clients.provisioner.clientId);
    const certificate = JSON.parse(credentials.certificate);
    expect(certificate.scopes).toEqual(
      expect.arrayContaining([
        `assume:worker-type:${PROVISIONER_ID}/wt-creds`,
        'assume:worker-id:*',
        'queue:claim-work:test/*',
      ]),
    );
    expect(certificate.expiry - certificate.start).toBe(96 * 3_600_000);
    const expectedToken = createHmac('sha256', h.clients.provisioner.accessToken)
      .update(certificate.seed)
      .digest('base64url');
    expect(credentials.accessToken).toBe(expectedToken);
    // Valid credentials that lack the scope: 403 (a bad signature would be 401).
    expect(await failure(api(credentials).removeWorkerType('wt-creds'))).toMatchObject({ statusCode: 403 });
  });

  it("gives a launched instance's worker only the scopes of its own region and instance type", async () => {
    const base = definition();
    const [west] = base.regions;
    const scoped = {
      ...base,
      scopes: ['queue:claim-work:test/*'],
      regions: [
        { ...(west as NonNullable<typeof west>), scopes: ['secrets:get:west'] },
        {
          ...(west as NonNullable<typeof west>),
          region: 'us-east-1',
          launchSpec: { ImageId: h.imageId('us-east-1') },
          scopes: ['secrets:get:east'],
        },
      ],
      instanceTypes: base.instanceTypes.map((t) => ({ ...t, scopes: [`capability:${t.instanceType}`] })),
    };
    await root().createWorkerType('wt-placed', scoped);
    const token = await launchSecret('wt-placed', 'us-west-2', 'c5.2xlarge');
    const certificate = JSON.parse((await api().getSecret(token)).credentials.certificate);
    expect([...certificate.scopes].sort()).toEqual(
      [
        `assume:worker-type:${PROVISIONER_ID}/wt-placed`,
        'assume:worker-id:*',
        'capability:c5.2xlarge',
        'queue:claim-work:test/*',
        'secrets:get:west',
      ].sort(),
    );
  });

  it('gives the worker of a createSecret secret only the two base scopes (§B.9), not the worker type’s', async () => {
    // Whoever may create secrets for a worker type must not thereby get the scopes it hands its workers.
    await root().createWorkerType('limited-scoped', {
      ...definition(),
      scopes: ['secrets:get:production/*'],
    });
    const made = slugid();
    const expiration = new Date(Date.now() + 600_000).toISOString();
    const secret = { workerType: 'limited-scoped', secrets: {}, scopes: [], token: made, expiration };
    await api(h.clients.limited).createSecret(made, secret);
    const certificate = JSON.parse((await api().getSecret(made)).credentials.certificate);
    expect([...certificate.scopes].sort()).toEqual(
      [`assume:worker-type:${PROVISIONER_ID}/limited-scoped`, 'assume:worker-id:*'].sort(),
    );
    expect(certificate.expiry - certificate.start).toBe(96 * 3_600_000);
  });

  it('leaves a secret redeemable when answering fails, and lets one of ten simultaneous redeemers have it', async () => {
    await root().createWorkerType('wt-retry', definition());
    const token = await launchSecret('wt-retry', 'us-west-2', 'c5.xlarge');
    const read = vi
      .spyOn(h.runtime.workerTypeStore, 'get')
      .mockRejectedValueOnce(new Error('connection reset'));
    try {
      expect(await failure(api().getSecret(token))).toMatchObject({ statusCode: 500 });
    } finally {
      read.mockRestore();
    }
    // The worker's retry gets what the failure never answered.
    expect((await api().getSecret(token)).credentials.clientId).toBe(h.clients.provisioner.clientId);
    const again = await launchSecret('wt-retry', 'us-west-2', 'c5.xlarge');
    const url = `${h.rootUrl}/api/aws-provisioner/v1/secret/${again}`;
    const statuses = await Promise.all(Array.from({ length: 10 }, () => fetch(url).then((r) => r.status)));
    expect(statuses.sort()).toEqual([200, ...Array<number>(9).fill(404)]);
  });

  it('records one instance per token and answers 404 once the token expired', async () => {
    const token = slugid();
    const expiration = new Date(Date.now() + 3_000).toISOString();
    await root().createSecret(token, { workerType: 'wt-start', secrets: {}, scopes: [], token, expiration });
    const recorded = () =>
      h.test.db.query('SELECT instance_id FROM instance_checkins WHERE token = $1', [token]);
    expect(await api().instanceStarted('i-0123456789abcdef0', token)).toBeUndefined();
    await api().getSecret(token);
    // Known, so 204 again; but a token read from user data must not record instances without end.
    for (const id of ['i-0123456789abcdef0', 'i-00000001', 'i-00000002']) {
      expect(await api().instanceStarted(id, token)).toBeUndefined();
    }
    expect(await recorded()).toEqual([{ instance_id: 'i-0123456789abcdef0' }]);
    await new Promise((resolve) => setTimeout(resolve, Date.parse(expiration) - Date.now() + 50));
    expect(await failure(api().instanceStarted('i-0123456789abcdef0', token))).toMatchObject({
      statusCode: 404,
      code: 'ResourceNotFound',
    });
    await h.runtime.secretStore.deleteExpired(new Date());
    expect(await recorded()).toEqual([]);
  });

  it("stops redeeming the secrets of a removed worker type's launches; a createSecret secret stays", async () => {
    await root().createWorkerType('wt-gone', definition());
    const launched = await launchSecret('wt-gone', 'us-west-2', 'c5.xlarge');
    const made = slugid();
    const expiration = new Date(Date.now() + 600_000).toISOString();
    await root().createSecret(made, {
      workerType: 'wt-gone',
      secrets: {},
      scopes: [],
      token: made,
      expiration,
    });
    await root().removeWorkerType('wt-gone');
    expect(await failure(api().getSecret(launched))).toMatchObject({ statusCode: 404 });
    expect((await api().getSecret(made)).credentials.clientId).toBe(h.clients.provisioner.clientId);
  });
});
