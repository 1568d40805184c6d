import { describe, expect, it } from 'vitest';
import { REDACTED, redactUrl, scrubFields, scrubText, scrubTokenLike } from '../../src/log/logger.js';

const ACCESS_TOKEN = 'Tq4mUx0dR6uFZ2sB9yHcAw7pLk3eVn1jQiGoXbYrKt5a';
const SECRET_TOKEN = 'Rnd0mSecretTokenAbc12w';
const SECRET_URL = `/api/aws-provisioner/v1/secret/${SECRET_TOKEN}`;
const BEWIT = 'cGxhbnRlZEJld2l0VmFsdWU';

describe('scrubFields', () => {
  it('returns records without credential fields as they are (no copy)', () => {
    const record = { event: 'loop.iteration', nested: { list: [{ a: 1 }], at: new Date(0) }, n: null };
    expect(scrubFields(record)).toBe(record);
  });

  it.each([
    ['accessToken'],
    ['access_token'],
    ['Authorization'],
    ['x-amz-security-token'],
    ['SecretAccessKey'],
    ['UserData'],
    ['secrets'],
  ])('redacts the field %s', (key) => {
    expect(scrubFields({ outer: { [key]: { any: 'value' } } })).toEqual({ outer: { [key]: REDACTED } });
  });

  it.each([['nextToken'], ['tokenCount'], ['workerType'], ['secretary']])('keeps the field %s', (key) => {
    expect(scrubFields({ [key]: 'value' })).toEqual({ [key]: 'value' });
  });
});

describe('scrubText', () => {
  it.each([
    ['/api/aws-provisioner/v1/secret/abc?x=1', '/api/aws-provisioner/v1/secret/<redacted>?x=1'],
    ['/v1/instance-started/i-0abc/tok#f', '/v1/instance-started/i-0abc/<redacted>#f'],
    ['/v1/worker-type/w?a=1&bewit=xyz&b=2', '/v1/worker-type/w?a=1&bewit=<redacted>&b=2'],
    ['postgres://prov:pw@db:5432/prov', 'postgres://prov:<redacted>@db:5432/prov'],
    ['Authorization: Bearer abc.def', 'Authorization: <redacted> <redacted>'],
    ['{ password: \'x\', token: "y" }', '{ password: \'<redacted>\', token: "<redacted>" }'],
    [
      'Authorization: Hawk id="a", mac="m1", nonce="n1"',
      'Authorization: <redacted> id="a", mac="<redacted>", nonce="<redacted>"',
    ],
    [
      String.raw`"h":"Hawk id=\"a\", ts=\"1\", ext=\"e1\", mac=\"m1\""`,
      String.raw`"h":"Hawk id=\"a\", ts=\"1\", ext=\"<redacted>\", mac=\"<redacted>\""`,
    ],
    [
      'a -----BEGIN RSA PRIVATE KEY-----\\nAAA\\n-----END RSA PRIVATE KEY----- b',
      'a <redacted RSA PRIVATE KEY> b',
    ],
    [
      String.raw`{\"seed\":\"s1\",\"signature\":\"s2\"}`,
      String.raw`{\"seed\":\"<redacted>\",\"signature\":\"<redacted>\"}`,
    ],
    [String.raw`"said {\"secrets\":{\"a\":\"b\"}} and more"`, String.raw`"said {\"secrets\":<redacted>"`],
    [
      'X-Amz-Security-Token=abc&X-Amz-Signature=def',
      'X-Amz-Security-Token=<redacted>&X-Amz-Signature=<redacted>',
    ],
    ['UserData: e30K certificate=c1', 'UserData: <redacted> certificate=<redacted>'],
  ])('redacts %s', (text, expected) => {
    expect(scrubText(text)).toBe(expected);
  });

  it.each([
    [`no client for ${ACCESS_TOKEN}.`, 'no client for <redacted>.'],
    [`key ${ACCESS_TOKEN}==;`, 'key <redacted>;'],
    ['short Tq4mUx0dR6uFZ2sB9yHcAw stays', 'short Tq4mUx0dR6uFZ2sB9yHcAw stays'],
    ['DescribeSpotInstanceRequestsCommandOutputWithAVeryLongName', null],
    ['sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', null],
  ])('scrubTokenLike redacts bare token-like values: %s', (text, expected) => {
    expect(scrubTokenLike(text)).toBe(expected ?? text);
  });

  it.each([
    ['launched i-0123456789abcdef0 in us-east-1a for gecko-b (sir-abc123de)'],
    ['taskId fN1SbArXTPSVFNUvaOlinQ at 2024-01-01T00:00:00.000Z'],
    ['route /api/aws-provisioner/v1/secret/:token and /instance-started/:instanceId/:token'],
    ['sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['DescribeSpotInstanceRequestsCommandOutputWithAVeryLongName failed'],
    ['nextToken=abc; the token expired'],
    ['amqps://pulse.example/vhost and https://user@host/path'],
  ])('leaves %s alone', (text) => {
    expect(scrubText(text)).toBe(text);
  });
});

describe('redactUrl', () => {
  it.each([
    [`${SECRET_URL}?bewit=${BEWIT}`, `/api/aws-provisioner/v1/secret/${REDACTED}?bewit=${REDACTED}`],
    [
      '/api/aws-provisioner/v1/instance-started/i-1/tok',
      `/api/aws-provisioner/v1/instance-started/i-1/${REDACTED}`,
    ],
    ['/api/aws-provisioner/v1/worker-type/gecko-b', '/api/aws-provisioner/v1/worker-type/gecko-b'],
  ])('%s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });
});
