import { describe, expect, it } from 'vitest';
import { buildLaunchSpec, type LaunchSpecInput, launchSpecPreview } from '../../src/domain/launch-spec.js';
import { decodeUserData, USER_DATA_KEYS } from '../../src/domain/user-data.js';
import type { WorkerTypeDefinition } from '../../src/domain/worker-type.js';
import { InvalidInputError } from '../../src/errors.js';
import { definition, instanceType, region, zone } from './definition-fixture.js';

const NOW = Date.UTC(2019, 7, 20, 12, 0, 0, 123);

/** A definition that sets something at every level, so the merge order shows. */
const layered = definition({
  launchSpec: {
    SecurityGroupIds: ['sg-general'],
    EbsOptimized: false,
    Placement: { Tenancy: 'default', AvailabilityZone: 'ignored' },
    KeyName: 'overwritten',
  },
  userData: { level: 'general', general: true, nested: { a: 1, b: 1 } },
  secrets: { level: 'general' },
  regions: [
    region('us-east-1'),
    region('us-west-2', {
      launchSpec: { ImageId: 'ami-west', EbsOptimized: true, IamInstanceProfile: { Name: 'region' } },
      userData: { level: 'region', region: true, nested: { a: 2 } },
      secrets: { level: 'region' },
    }),
  ],
  availabilityZones: [
    zone('us-west-2', 'us-west-2b', {
      launchSpec: { SubnetId: 'subnet-b', IamInstanceProfile: { Arn: 'zone' } },
      userData: { level: 'zone', zone: true },
    }),
    zone('us-west-2', 'us-west-2c'),
  ],
  instanceTypes: [
    instanceType('c5.xlarge'),
    instanceType('c5.2xlarge', {
      capacity: 2,
      utility: 2,
      launchSpec: { BlockDeviceMappings: [{ DeviceName: '/dev/xvdb' }] },
      userData: { level: 'type', type: true },
    }),
  ],
});

function input(overrides: Partial<LaunchSpecInput> = {}): LaunchSpecInput {
  return {
    definition: layered,
    workerType: 'example-worker',
    lastModified: '2019-07-01T10:00:00.000Z',
    offer: {
      region: 'us-west-2',
      zone: 'us-west-2b',
      instanceType: 'c5.2xlarge',
      spotBid: 0.1648,
      price: 0.0412,
    },
    keyName: 'aws-provisioner-v1-managed:example-worker:0123abc',
    provisionerId: 'aws-provisioner-v1',
    provisionerBaseUrl: 'https://provisioner.example.com/v1',
    taskclusterRootUrl: 'https://tc.example.com',
    securityToken: 'Jd3k9x2QQ4yB8uR1mN0pLw',
    now: NOW,
    ...overrides,
  };
}

/** Decodes like a worker does, independently of the module under test. */
function workerDecode(base64: string): unknown {
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))));
}

describe('buildLaunchSpec', () => {
  const result = buildLaunchSpec(input());

  it('returns exactly the launchInfo of §C.4', () => {
    expect(Object.keys(result).sort()).toEqual(
      ['launchSpec', 'scopes', 'secrets', 'securityToken', 'userData', 'workerType'].sort(),
    );
    expect(result.scopes).toEqual([]);
    expect(result.securityToken).toBe('Jd3k9x2QQ4yB8uR1mN0pLw');
    expect(result.workerType).toBe('example-worker');
  });

  it('merges general, region, zone and instance type (later wins, nested objects whole) and overwrites the provisioner keys', () => {
    const { UserData, ...launchSpec } = result.launchSpec;
    expect(typeof UserData).toBe('string');
    expect(launchSpec).toEqual({
      SecurityGroupIds: ['sg-general'],
      EbsOptimized: true,
      IamInstanceProfile: { Arn: 'zone' },
      SubnetId: 'subnet-b',
      BlockDeviceMappings: [{ DeviceName: '/dev/xvdb' }],
      ImageId: 'ami-west',
      KeyName: 'aws-provisioner-v1-managed:example-worker:0123abc',
      InstanceType: 'c5.2xlarge',
      Placement: { Tenancy: 'default', AvailabilityZone: 'us-west-2b' },
    });
  });

  it('builds the user data of the §C.4 table', () => {
    expect(Object.keys(result.userData)).toEqual([...USER_DATA_KEYS]);
    expect(result.userData).toEqual({
      availabilityZone: 'us-west-2b',
      capacity: 2,
      data: { level: 'type', general: true, region: true, zone: true, type: true, nested: { a: 2 } },
      instanceType: 'c5.2xlarge',
      lastModified: '2019-07-01T10:00:00.000Z',
      launchSpecGenerated: '2019-08-20T12:00:00.123Z',
      price: 0.0412,
      provisionerBaseUrl: 'https://provisioner.example.com/v1',
      provisionerId: 'aws-provisioner-v1',
      region: 'us-west-2',
      securityToken: 'Jd3k9x2QQ4yB8uR1mN0pLw',
      spotBid: 0.1648,
      taskclusterRootUrl: 'https://tc.example.com',
      workerType: 'example-worker',
    });
  });

  it('encodes the user data as padded standard base64 of its UTF-8 JSON', () => {
    expect(result.launchSpec.UserData).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    expect(result.launchSpec.UserData.length % 4).toBe(0);
    expect(workerDecode(result.launchSpec.UserData)).toEqual(result.userData);
    expect(decodeUserData(result.launchSpec.UserData)).toEqual(result.userData);
  });

  it('keeps non-ASCII user data intact', () => {
    const unicode = definition({ userData: { motd: 'grüße 🚀' } });
    const { launchSpec } = buildLaunchSpec(
      input({
        definition: unicode,
        offer: { ...input().offer, zone: 'us-west-2a', instanceType: 'c5.xlarge' },
      }),
    );
    expect(workerDecode(launchSpec.UserData)).toMatchObject({ data: { motd: 'grüße 🚀' } });
  });

  it('merges the secrets the same way', () => {
    expect(result.secrets).toEqual({ level: 'region' });
  });

  it('launches a region without zone entries in any of its zones (Appendix 2 user data fields)', () => {
    const spec = buildLaunchSpec(
      input({
        offer: {
          region: 'us-east-1',
          zone: 'us-east-1d',
          instanceType: 'c5.xlarge',
          spotBid: 0.2,
          price: 0.1,
        },
      }),
    );
    expect(spec.launchSpec.Placement).toEqual({ Tenancy: 'default', AvailabilityZone: 'us-east-1d' });
    expect(spec.launchSpec.ImageId).toBe('ami-us-east-1');
    expect(spec.launchSpec.SubnetId).toBeUndefined();
    expect(spec.userData).toMatchObject({
      capacity: 1,
      provisionerId: 'aws-provisioner-v1',
      region: 'us-east-1',
      instanceType: 'c5.xlarge',
    });
  });

  it('writes spotBid null for an on-demand launch', () => {
    const spec = buildLaunchSpec(input({ offer: { ...input().offer, spotBid: null, price: 0.17 } }));
    expect(spec.userData.spotBid).toBeNull();
    expect(spec.userData.price).toBe(0.17);
    expect(workerDecode(spec.launchSpec.UserData)).toMatchObject({ spotBid: null });
  });

  it('never changes the definition nor shares objects with it', () => {
    const before = structuredClone(layered);
    const spec = buildLaunchSpec(input());
    (spec.launchSpec.BlockDeviceMappings as unknown[]).push('x');
    (spec.userData.data.nested as Record<string, number>).a = 99;
    expect(layered).toEqual(before);
  });

  const invalid: [string, Partial<LaunchSpecInput>, string[]][] = [
    [
      'a region the worker type does not list',
      { offer: { ...input().offer, region: 'eu-central-1', zone: 'eu-central-1a' } },
      ["offer: region eu-central-1 is not one of the worker type's regions"],
    ],
    [
      'an instance type the worker type does not list',
      { offer: { ...input().offer, instanceType: 'm5.large' } },
      ["offer: instance type m5.large is not one of the worker type's instanceTypes"],
    ],
    [
      'a zone outside the configured zones',
      { offer: { ...input().offer, zone: 'us-west-2a' } },
      ['offer: zone us-west-2a is not among the availabilityZones configured for region us-west-2'],
    ],
    [
      'a zone of another region',
      { offer: { ...input().offer, zone: 'us-east-1a' } },
      ['offer: zone us-east-1a is not in region us-west-2'],
    ],
    ['an empty key name', { keyName: '' }, ['keyName is required']],
    [
      'a definition broken in the parts the offer uses',
      {
        definition: definition({
          launchSpec: { ImageId: 'ami-x' },
          instanceTypes: [instanceType('c5.xlarge', { capacity: 0 })],
        }),
        offer: { ...input().offer, zone: 'us-west-2a', instanceType: 'c5.xlarge' },
      },
      [
        'launchSpec: ImageId is region specific, not general',
        'instanceTypes[0] (c5.xlarge).capacity must be greater than 0, got 0',
      ],
    ],
  ];

  it.each(invalid)('throws InvalidInputError for %s', (_name, overrides, reasons) => {
    const attempt = () => buildLaunchSpec(input(overrides));
    expect(attempt).toThrow(InvalidInputError);
    try {
      attempt();
    } catch (error) {
      expect((error as InvalidInputError).reasons).toEqual(reasons);
      expect((error as InvalidInputError).code).toBe('InputError');
      for (const reason of reasons) expect((error as Error).message).toContain(reason);
    }
  });

  it('still launches in a healthy region when another region is broken', () => {
    const partlyBroken: WorkerTypeDefinition = {
      ...layered,
      regions: [...layered.regions, region('eu-central-1', { launchSpec: { ImageId: 'ami-eu', Nope: 1 } })],
    };
    expect(() => buildLaunchSpec(input({ definition: partlyBroken }))).not.toThrow();
    expect(() =>
      buildLaunchSpec(
        input({
          definition: partlyBroken,
          offer: { ...input().offer, region: 'eu-central-1', zone: 'eu-central-1a' },
        }),
      ),
    ).toThrow(/regions\[2\] \(eu-central-1\)\.launchSpec: invalid key "Nope"/);
  });
});

describe('launchSpecPreview', () => {
  function context() {
    let n = 0;
    return {
      keyName: 'prefix:example-worker',
      provisionerId: 'aws-provisioner-v1',
      provisionerBaseUrl: 'https://provisioner.example.com/v1',
      taskclusterRootUrl: 'https://tc.example.com',
      now: NOW,
      newSecurityToken: () => `token-${++n}`,
    };
  }

  it('has one launchInfo per region and instance type, with the fake bid', () => {
    const preview = launchSpecPreview(layered, 'example-worker', '2019-07-01T10:00:00.000Z', context());
    expect(Object.keys(preview)).toEqual(['us-east-1', 'us-west-2']);
    for (const byType of Object.values(preview))
      expect(Object.keys(byType)).toEqual(['c5.xlarge', 'c5.2xlarge']);
    const info = preview['us-east-1']?.['c5.xlarge'];
    expect(info?.userData).toMatchObject({
      spotBid: 1,
      price: 1,
      region: 'us-east-1',
      instanceType: 'c5.xlarge',
    });
    expect(workerDecode(info?.launchSpec.UserData ?? '')).toEqual(info?.userData);
  });

  it.each([
    ['us-east-1', 'us-east-1a'],
    ['us-west-2', 'us-west-2b'],
  ])('uses %s zone %s (first configured, else <region>a)', (regionName, expectedZone) => {
    const preview = launchSpecPreview(layered, 'example-worker', '2019-07-01T10:00:00.000Z', context());
    for (const info of Object.values(preview[regionName] ?? {})) {
      expect(info.launchSpec.Placement.AvailabilityZone).toBe(expectedZone);
      expect(info.userData.availabilityZone).toBe(expectedZone);
    }
  });

  it('mints a fresh token for every entry', () => {
    const preview = launchSpecPreview(layered, 'example-worker', '2019-07-01T10:00:00.000Z', context());
    const tokens = Object.values(preview).flatMap((byType) =>
      Object.values(byType).map((i) => i.securityToken),
    );
    expect(tokens).toEqual(['token-1', 'token-2', 'token-3', 'token-4']);
  });

  it('reports every problem of the definition, including zones the preview does not show', () => {
    const broken = definition({
      availabilityZones: [
        zone('us-west-2', 'us-west-2a'),
        zone('us-west-2', 'us-west-2c', { launchSpec: { X: 1 } }),
      ],
    });
    expect(() => launchSpecPreview(broken, 'w', '2019-07-01T10:00:00.000Z', context())).toThrow(
      expect.objectContaining({ reasons: ['availabilityZones[1] (us-west-2c).launchSpec: invalid key "X"'] }),
    );
  });

  it('is empty for a definition without regions', () => {
    expect(
      launchSpecPreview(definition({ regions: [] }), 'w', '2019-07-01T10:00:00.000Z', context()),
    ).toEqual({});
  });
});
