import { describe, expect, it } from 'vitest';
import { assignProblems, definitionProblems, messageText } from '../../src/ui/lib/api-errors.js';
import { credentialsFrom } from '../../src/ui/lib/credentials.js';
import { definitionPart, formPointers, numberValue, setAt } from '../../src/ui/lib/definition-fields.js';
import { jsonDiff } from '../../src/ui/lib/json-diff.js';

const TRAILER = '\n\n---\n\n* method:     createWorkerType\n* errorCode:  InputError';
const definition = {
  regions: [
    { region: 'us-east-1', launchSpec: { ImageId: 'ami-1' } },
    { region: 'us-west-2', launchSpec: { ImageId: 'ami-2' } },
  ],
  instanceTypes: [{ instanceType: 'c5.large' }],
};

describe('the API error messages the editor places next to fields', () => {
  it.each([
    [
      'InputValidationError',
      'Schema Validation Failed!\n/maxCapacity: must be number\n/instanceTypes/0/capacity: must be > 0',
      [
        { pointer: '/maxCapacity', message: 'must be number' },
        { pointer: '/instanceTypes/0/capacity', message: 'must be > 0' },
      ],
    ],
    [
      'InputValidationError',
      'Schema Validation Failed!\nbody: missing required property "owner"\nbody: unknown property "colour"',
      [
        { pointer: '/owner', message: 'is required' },
        { pointer: '', message: 'unknown property "colour"' },
      ],
    ],
    [
      'InputError',
      'Invalid workerType: ami-2 not found in us-west-2; security groups not found in us-east-1: docker-worker',
      [
        { pointer: '/regions/1/launchSpec/ImageId', message: 'ami-2 not found in us-west-2' },
        {
          pointer: '/regions/0/launchSpec',
          message: 'security groups not found in us-east-1: docker-worker',
        },
      ],
    ],
    [
      'InputError',
      'Invalid workerType: regions[1] (us-west-2).launchSpec: ImageId is required; instanceTypes[0] (c5.large).capacity must be greater than 0, got 0',
      [
        {
          pointer: '/regions/1/launchSpec/ImageId',
          message: 'regions[1] (us-west-2).launchSpec: ImageId is required',
        },
        {
          pointer: '/instanceTypes/0/capacity',
          message: 'instanceTypes[0] (c5.large).capacity must be greater than 0, got 0',
        },
      ],
    ],
    [
      'InputError',
      "Invalid workerType: regions[0]: eu-west-9 is not one of this service's allowed regions (us-east-1); launchSpec: SubnetId cannot be used with SecurityGroups; use SecurityGroupIds",
      [
        {
          pointer: '/regions/0/region',
          message: "regions[0]: eu-west-9 is not one of this service's allowed regions (us-east-1)",
        },
        {
          pointer: '/launchSpec',
          message: 'launchSpec: SubnetId cannot be used with SecurityGroups; use SecurityGroupIds',
        },
      ],
    ],
    ['AuthenticationFailed', 'Bad mac', []],
  ])('reads a %s: %s', (code, message, expected) => {
    expect(definitionProblems({ code, message: `${message}${TRAILER}` }, definition)).toEqual(expected);
  });

  it('gives each problem to the deepest field that owns it, the rest to the JSON editor', () => {
    const assigned = assignProblems(
      [
        { pointer: '/maxCapacity', message: 'must be number' },
        { pointer: '/regions/0/launchSpec/ImageId', message: 'not found' },
        { pointer: '/regions/0/launchSpec', message: 'bad groups' },
        { pointer: '/userData/x', message: 'odd' },
        { pointer: '', message: 'unknown property "colour"' },
      ],
      formPointers({ regions: [{}], instanceTypes: [] }),
    );
    expect(Object.fromEntries(assigned)).toEqual({
      '/maxCapacity': ['must be number'],
      '/regions/0/launchSpec/ImageId': ['not found'],
      '/regions/0': ['bad groups'],
      '': ['/userData/x: odd', 'unknown property "colour"'],
    });
  });

  it('drops the request details Taskcluster appends to messages', () => {
    expect(messageText(`Bad mac${TRAILER}`)).toBe('Bad mac');
  });
});

describe('the diff shown before saving', () => {
  it.each([
    [
      'a changed number',
      { maxCapacity: 5 },
      { maxCapacity: 8 },
      [{ pointer: '/maxCapacity', kind: 'changed', before: 5, after: 8 }],
    ],
    ['an added key', {}, { maxHourlySpend: 3 }, [{ pointer: '/maxHourlySpend', kind: 'added', after: 3 }]],
    ['a removed key', { owner: 'a' }, {}, [{ pointer: '/owner', kind: 'removed', before: 'a' }]],
    [
      'a nested value',
      { regions: [{ region: 'a' }] },
      { regions: [{ region: 'b' }] },
      [{ pointer: '/regions/0/region', kind: 'changed', before: 'a', after: 'b' }],
    ],
    [
      'a longer array',
      { scopes: ['a'] },
      { scopes: ['a', 'b'] },
      [{ pointer: '/scopes', kind: 'changed', before: ['a'], after: ['a', 'b'] }],
    ],
    [
      'keys with slashes',
      { userData: { 'a/b': 1 } },
      { userData: { 'a/b': 2 } },
      [{ pointer: '/userData/a~1b', kind: 'changed', before: 1, after: 2 }],
    ],
    ['nothing', { a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }, []],
  ])('finds %s', (_case, before, after, expected) => {
    expect(jsonDiff(before, after)).toEqual(expected);
  });
});

describe('the editor model', () => {
  it.each([
    ['12', 12],
    [' 0.5 ', 0.5],
    ['lots', 'lots'],
    ['', ''],
  ])('reads the number field text %j as %j', (text, value) => {
    expect(numberValue(text)).toBe(value);
  });

  it('sets a value at a pointer without changing the original', () => {
    const original = { regions: [{ launchSpec: { ImageId: 'a' } }], maxHourlySpend: 2 };
    expect(setAt(original, '/regions/0/launchSpec/ImageId', 'b')).toEqual({
      regions: [{ launchSpec: { ImageId: 'b' } }],
      maxHourlySpend: 2,
    });
    expect(setAt(original, '/maxHourlySpend', undefined)).toEqual({ regions: original.regions });
    expect(original.regions[0]?.launchSpec.ImageId).toBe('a');
  });
});

describe('a stored definition in the editor', () => {
  it('drops the name and time, and orders keys for reading', () => {
    const stored = {
      workerType: 'wt',
      lastModified: '2024-01-01T00:00:00.000Z',
      zebra: 1,
      regions: [{ scopes: [], region: 'us-east-1', launchSpec: { ImageId: 'ami-1' } }],
      maxHourlySpend: 3,
      maxPrice: 1,
      description: 'd',
    };
    const part = definitionPart(stored);
    expect(Object.keys(part)).toEqual(['description', 'maxPrice', 'maxHourlySpend', 'regions', 'zebra']);
    expect(Object.keys((part.regions as object[])[0] ?? {})).toEqual(['region', 'launchSpec', 'scopes']);
  });
});

describe('the credentials typed at sign-in', () => {
  const now = Date.parse('2030-01-01T00:00:00Z');
  it.each([
    [
      { clientId: ' me ', accessToken: ' secret ', certificate: '' },
      { clientId: 'me', accessToken: 'secret' },
    ],
    [
      { clientId: 'me', accessToken: 'secret', certificate: '{"expiry": 1900000000000}' },
      { clientId: 'me', accessToken: 'secret', certificate: '{"expiry": 1900000000000}' },
    ],
    [{ clientId: '', accessToken: 'secret', certificate: '' }, 'Enter both a client ID and an access token'],
    [{ clientId: 'me', accessToken: 'secret', certificate: 'nope' }, /must be the JSON text/],
    [{ clientId: 'me', accessToken: 'secret', certificate: '{"expiry": 1000}' }, /expired at 1970/],
  ])('reads %j', (input, expected) => {
    const result = credentialsFrom(input, now);
    if (expected instanceof RegExp) expect(result).toMatch(expected);
    else expect(result).toEqual(expected);
  });
});
