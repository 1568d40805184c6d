import { describe, expect, it } from 'vitest';
import { decodeUserData, encodeUserData, USER_DATA_KEYS, type UserData } from '../../src/domain/user-data.js';

const userData: UserData = {
  availabilityZone: 'us-west-2b',
  capacity: 2,
  data: { dockerConfig: { allowPrivileged: false }, note: 'ünïcödé' },
  instanceType: 'c5.2xlarge',
  lastModified: '2019-07-01T10:00:00.000Z',
  launchSpecGenerated: '2019-08-20T12:00:00.123Z',
  price: 0.0412,
  provisionerBaseUrl: 'https://aws-provisioner.taskcluster.net/v1',
  provisionerId: 'aws-provisioner-v1',
  region: 'us-west-2',
  securityToken: 'Jd3k9x2QQ4yB8uR1mN0pLw',
  spotBid: 0.1648,
  taskclusterRootUrl: 'https://taskcluster.net',
  workerType: 'example-worker',
};

describe('user data', () => {
  it('lists exactly the 14 keys of the §C.4 table', () => {
    expect(new Set(USER_DATA_KEYS).size).toBe(14);
    expect([...USER_DATA_KEYS].sort()).toEqual(Object.keys(userData).sort());
  });

  it('round-trips through base64', () => {
    expect(decodeUserData(encodeUserData(userData))).toEqual(userData);
  });

  it('decodes what another encoder produced', () => {
    const json = '{"workerType":"w","capacity":1}';
    expect(decodeUserData(btoa(json))).toEqual({ workerType: 'w', capacity: 1 });
  });

  it.each([
    ['base64url characters', 'eyJ_Ijoi-In0='],
    ['missing padding', 'eyJhIjoxfQ'],
    ['not JSON', btoa('not json')],
  ])('rejects %s', (_name, encoded) => {
    expect(() => decodeUserData(encoded)).toThrow(SyntaxError);
  });
});
