import { describe, expect, it } from 'vitest';
import { createLogger, type Logger, REDACTED } from '../../src/log/logger.js';

/** Credentials planted in log calls; none may appear in any output line. */
const ACCESS_TOKEN = 'Tq4mUx0dR6uFZ2sB9yHcAw7pLk3eVn1jQiGoXbYrKt5a';
const CLIENT_ACCESS_TOKEN = 'short-access-token-9x';
const SECRET_TOKEN = 'Rnd0mSecretTokenAbc12w';
const SECRET_DATA = 'hunter2-planted-secret-data';
const SECURITY_TOKEN = 'IQoJb3JpZ2luX2Vj/plantedSecurity+Token==';
const SEED = 'plantedSeedValue123';
const SIGNATURE = 'plantedSignatureXYZ=';
const CERTIFICATE = JSON.stringify({
  version: 1,
  scopes: ['assume:worker-type:aws-provisioner-v1/gecko-b'],
  start: 1_700_000_000_000,
  expiry: 1_700_003_600_000,
  seed: SEED,
  signature: SIGNATURE,
});
const PEM_BODY = 'MIIEpAIBAAKCAQEAplantedPemBody';
const PRIVATE_KEY = `-----BEGIN RSA PRIVATE KEY-----\n${PEM_BODY}\nMIIEsecondLine\n-----END RSA PRIVATE KEY-----`;
const BEWIT = 'cGxhbnRlZEJld2l0VmFsdWU';
const MAC = 'plantedMacValue=';
const AUTHORIZATION = `Hawk id="tester", ts="1700000000", nonce="plantedNonce", mac="${MAC}"`;
const BEARER = 'plantedBearerToken.abc';
const PASSWORD = 'plantedPulsePassword';
const AWS_SECRET_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYplantedKEY';

const PLANTED = [
  ACCESS_TOKEN,
  CLIENT_ACCESS_TOKEN,
  SECRET_TOKEN,
  SECRET_DATA,
  SECURITY_TOKEN,
  SEED,
  SIGNATURE,
  PEM_BODY,
  'MIIEsecondLine',
  BEWIT,
  MAC,
  'plantedNonce',
  BEARER,
  PASSWORD,
  AWS_SECRET_KEY,
];

const SECRET_URL = `/api/aws-provisioner/v1/secret/${SECRET_TOKEN}`;
const CREDENTIALS = {
  clientId: 'worker/gecko-b/i-0abc',
  accessToken: ACCESS_TOKEN,
  certificate: CERTIFICATE,
};

function capture(): { logger: Logger; output: () => string } {
  const lines: string[] = [];
  const logger = createLogger('debug', { write: (line: string) => lines.push(line) });
  return { logger, output: () => lines.join('') };
}

interface Case {
  name: string;
  log: (logger: Logger) => void;
  /** Non-secret parts that must survive, so redaction is not just blanking everything. */
  keeps: string[];
}

const CASES: Case[] = [
  {
    name: 'a request record with headers and a secret URL',
    log: (l) =>
      l.info({
        event: 'http.request',
        request: {
          method: 'GET',
          url: `${SECRET_URL}?bewit=${BEWIT}`,
          headers: {
            Authorization: AUTHORIZATION,
            'x-amz-security-token': SECURITY_TOKEN,
            host: 'provisioner',
          },
        },
        status: 200,
      }),
    keeps: ['http.request', '/api/aws-provisioner/v1/secret/', 'provisioner', '"status":200'],
  },
  {
    name: 'a raw URL its caller forgot to redact, and the req serializer',
    log: (l) => {
      l.info({ event: 'http.request', url: `https://p.example${SECRET_URL}`, status: 404 });
      l.info({ req: { id: 'r1', method: 'GET', url: `/api/aws-provisioner/v1/secret/${SECRET_TOKEN}` } });
      l.info({
        event: 'instance.started',
        url: `/api/aws-provisioner/v1/instance-started/i-0abc/${SECRET_TOKEN}`,
      });
    },
    keeps: ['https://p.example/api/aws-provisioner/v1/secret/', 'instance-started/i-0abc/', '"id":"r1"'],
  },
  {
    name: 'an error with a secret URL in its message',
    log: (l) =>
      l.error({
        event: 'secret.fetch-failed',
        err: new Error(`GET https://p.example${SECRET_URL} failed: 500`),
      }),
    keeps: ['secret.fetch-failed', 'failed: 500', '"type":"Error"', 'logger-redaction.test.ts'],
  },
  {
    name: 'an error whose cause quotes a response body with credentials',
    log: (l) => {
      const cause = new Error(`queue answered ${JSON.stringify({ credentials: CREDENTIALS })}`);
      l.error({ event: 'api.internal-error', err: new Error('could not sign credentials', { cause }) });
    },
    keeps: ['could not sign credentials', 'queue answered', 'worker/gecko-b/i-0abc', 'caused by'],
  },
  {
    name: 'an error carrying credentials and headers as properties',
    log: (l) => {
      const err = Object.assign(new TypeError('taskcluster call failed'), {
        statusCode: 401,
        body: { credentials: CREDENTIALS, token: SECRET_TOKEN },
        headers: { authorization: `Bearer ${BEARER}` },
      });
      l.warn({ event: 'queue.failed', err });
    },
    keeps: ['taskcluster call failed', '"type":"TypeError"', '"statusCode":401'],
  },
  {
    name: 'an error logged on its own, its message becoming msg',
    log: (l) =>
      l.error(new Error(`invalid credentials accessToken=${CLIENT_ACCESS_TOKEN}; token: '${SECRET_TOKEN}'`)),
    keeps: ['invalid credentials accessToken=', 'token: '],
  },
  {
    name: 'a createSecret payload with secret data',
    log: (l) =>
      l.info({
        event: 'secret.created',
        payload: {
          workerType: 'gecko-b',
          secrets: { dockerPassword: SECRET_DATA, nested: [{ value: SECRET_DATA }] },
          scopes: ['queue:claim-work:aws-provisioner-v1/gecko-b'],
          token: SECRET_TOKEN,
          expiration: '2024-01-01T00:00:00.000Z',
        },
      }),
    keeps: [
      'secret.created',
      'gecko-b',
      'queue:claim-work:aws-provisioner-v1/gecko-b',
      '2024-01-01T00:00:00.000Z',
    ],
  },
  {
    name: 'arrays of launch specs with user data and issued credentials',
    log: (l) =>
      l.info({
        event: 'launch.planned',
        launches: [
          {
            region: 'us-east-1',
            spec: { InstanceType: 'c5.large', UserData: Buffer.from(CERTIFICATE).toString('base64') },
          },
          {
            region: 'us-west-2',
            spec: { InstanceType: 'm5.large', userData: { accessToken: ACCESS_TOKEN } },
          },
        ],
        workers: [
          { credentials: CREDENTIALS },
          { credentials: { ...CREDENTIALS, accessToken: CLIENT_ACCESS_TOKEN } },
        ],
      }),
    keeps: ['launch.planned', 'c5.large', 'm5.large', 'us-west-2'],
  },
  {
    name: 'AWS credentials, key material and a broker URL with a password',
    log: (l) => {
      l.info({
        event: 'ec2.client',
        config: {
          region: 'us-east-1',
          credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: AWS_SECRET_KEY },
        },
      });
      l.info({
        event: 'keypair.created',
        keyPair: { KeyName: 'aws-provisioner-v1-gecko-b', KeyMaterial: PRIVATE_KEY },
      });
      l.error({ event: 'keypair.failed', err: new Error(`cannot import ${PRIVATE_KEY}`) });
      l.info({ event: 'pulse.connecting', url: `amqps://provisioner:${PASSWORD}@pulse.example/vhost` });
      l.info({
        event: 'aws.session',
        SessionToken: SECURITY_TOKEN,
        note: `x-amz-security-token=${SECURITY_TOKEN}`,
      });
    },
    keeps: [
      'aws-provisioner-v1-gecko-b',
      'cannot import',
      'amqps://provisioner:',
      '@pulse.example/vhost',
      'us-east-1',
    ],
  },
  {
    name: 'child logger bindings, message interpolation and deep nesting',
    log: (l) => {
      const child = l.child({ worker: { credentials: CREDENTIALS }, workerType: 'gecko-b' });
      child.info({ event: 'worker.bound' });
      child.child({ payload: { secrets: { key: SECRET_DATA } } }).info({ event: 'grandchild' });
      l.info('redeeming %s with %s', `${SECRET_URL}?bewit=${BEWIT}`, `Authorization: ${AUTHORIZATION}`);
      let deep: Record<string, unknown> = { accessToken: ACCESS_TOKEN, securityToken: SECURITY_TOKEN };
      for (let i = 0; i < 12; i++) deep = { level: deep };
      l.debug({ event: 'deep', deep });
      l.info({ event: 'url-object', url: new URL(`https://p.example${SECRET_URL}?bewit=${BEWIT}`) });
    },
    keeps: [
      'worker.bound',
      'grandchild',
      '"workerType":"gecko-b"',
      'redeeming /api/aws-provisioner/v1/secret/',
      '"event":"deep"',
    ],
  },
];

describe('createLogger redaction', () => {
  it.each(CASES)('never outputs planted credentials: $name', ({ log, keeps }) => {
    const { logger, output } = capture();
    log(logger);
    const text = output();

    for (const secret of PLANTED) expect(text, `leaked ${secret}`).not.toContain(secret);
    for (const kept of keeps) expect(text).toContain(kept);
    expect(text).toContain(REDACTED);
    // Every line stays valid JSON after its text was scrubbed.
    for (const line of text.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('keeps stable fields and leaves the caller’s objects untouched', () => {
    const { logger, output } = capture();
    const payload = { workerType: 'gecko-b', secrets: { key: SECRET_DATA }, list: [{ token: SECRET_TOKEN }] };
    const err = Object.assign(new Error('boom'), { credentials: CREDENTIALS });
    logger.warn({ event: 'secret.created', payload, err }, 'created');

    const record = JSON.parse(output());
    expect(record).toMatchObject({
      level: 40,
      service: 'aws-provisioner',
      event: 'secret.created',
      msg: 'created',
      payload: { workerType: 'gecko-b', secrets: REDACTED, list: [{ token: REDACTED }] },
      err: { type: 'Error', message: 'boom', credentials: REDACTED },
    });
    expect(typeof record.time).toBe('string');
    expect(payload.secrets.key).toBe(SECRET_DATA);
    expect(payload.list[0]?.token).toBe(SECRET_TOKEN);
    expect(err.credentials.accessToken).toBe(ACCESS_TOKEN);
  });

  it('serializes errors inside arrays and aggregates instead of dropping them', () => {
    const { logger, output } = capture();
    const failures = [new RangeError(`capacity ${SECRET_URL}`), new Error('second')];
    logger.error({ event: 'iteration.partial', failures, err: new AggregateError(failures, 'two failed') });

    const record = JSON.parse(output());
    expect(record.failures).toMatchObject([{ type: 'RangeError' }, { type: 'Error', message: 'second' }]);
    expect(record.failures[0].message).toBe(`capacity /api/aws-provisioner/v1/secret/${REDACTED}`);
    expect(record.err.aggregateErrors).toHaveLength(2);
    expect(output()).not.toContain(SECRET_TOKEN);
  });
});
