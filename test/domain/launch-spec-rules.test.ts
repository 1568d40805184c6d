import { describe, expect, it } from 'vitest';
import {
  ALLOWED_LAUNCH_SPEC_KEYS,
  configuredZones,
  isZoneAllowed,
  launchSpecProblems,
  mergeLevels,
} from '../../src/domain/launch-spec-rules.js';
import type { WorkerTypeDefinition } from '../../src/domain/worker-type.js';
import { definition, instanceType, region, zone } from './definition-fixture.js';

const C5 = 'instanceTypes[0] (c5.xlarge)';
const C52 = 'instanceTypes[1] (c5.2xlarge)';
const USW2 = 'regions[0] (us-west-2)';

describe('launchSpecProblems', () => {
  const cases: [string, Partial<WorkerTypeDefinition>, string[]][] = [
    ['the minimal definition of §C.1 is valid', {}, []],
    [
      'an unknown top-level key',
      { launchSpec: { Foo: 1, SecurityGroups: [] } },
      ['launchSpec: invalid key "Foo"'],
    ],
    [
      'InstanceType and ImageId in the general spec',
      { launchSpec: { InstanceType: 'c5.large', ImageId: 'ami-1' } },
      [
        'launchSpec: InstanceType is type specific, not general',
        'launchSpec: ImageId is region specific, not general',
      ],
    ],
    [
      'InstanceType in a region spec',
      { regions: [region('us-west-2', { launchSpec: { ImageId: 'ami-1', InstanceType: 'c5.large' } })] },
      [`${USW2}.launchSpec: InstanceType is type specific, not region specific`],
    ],
    [
      'a region without an AMI (second region)',
      { regions: [region('us-east-1'), region('us-west-2', { launchSpec: { ImageId: '' } })] },
      ['regions[1] (us-west-2).launchSpec: ImageId must be a non-empty string'],
    ],
    [
      'a region with an empty launchSpec',
      { regions: [region('us-east-1'), region('us-west-2', { launchSpec: {} as { ImageId: string } })] },
      ['regions[1] (us-west-2).launchSpec: ImageId is required'],
    ],
    [
      'ImageId in an instance type spec',
      { instanceTypes: [instanceType('c5.xlarge', { launchSpec: { ImageId: 'ami-2' } })] },
      [`${C5}.launchSpec: ImageId is region specific, not type specific`],
    ],
    [
      'UserData at every level',
      {
        launchSpec: { UserData: 'x' },
        regions: [region('us-west-2', { launchSpec: { ImageId: 'ami-1', UserData: 'x' } })],
        instanceTypes: [instanceType('c5.xlarge', { launchSpec: { UserData: 'x' } })],
        availabilityZones: [zone('us-west-2', 'us-west-2b', { launchSpec: { UserData: 'x' } })],
      },
      [
        'launchSpec: UserData is written by the provisioner, remove it',
        `${USW2}.launchSpec: UserData is written by the provisioner, remove it`,
        `${C5}.launchSpec: UserData is written by the provisioner, remove it`,
        'availabilityZones[0] (us-west-2b).launchSpec: UserData is written by the provisioner, remove it',
      ],
    ],
    [
      'an invalid key in a zone and a type spec',
      {
        instanceTypes: [instanceType('c5.xlarge', { launchSpec: { Bar: true } })],
        availabilityZones: [zone('us-west-2', 'us-west-2b', { launchSpec: { Baz: true } })],
      },
      [
        `${C5}.launchSpec: invalid key "Bar"`,
        'availabilityZones[0] (us-west-2b).launchSpec: invalid key "Baz"',
      ],
    ],
    [
      'duplicate regions, instance types and zones',
      {
        regions: [region('us-west-2'), region('us-east-1'), region('us-west-2')],
        instanceTypes: [instanceType('c5.xlarge'), instanceType('c5.xlarge')],
        availabilityZones: [zone('us-west-2', 'us-west-2a'), zone('us-west-2', 'us-west-2a')],
      },
      [
        'regions[2] (us-west-2): region must be unique',
        'instanceTypes[1] (c5.xlarge): instanceType must be unique',
        'availabilityZones[1] (us-west-2a): availabilityZone must be unique',
      ],
    ],
    [
      'a zone for a region the worker type does not use',
      { availabilityZones: [zone('us-east-1', 'us-east-1c')] },
      [
        "availabilityZones[0] (us-east-1c): zone is configured but region us-east-1 is not one of the worker type's regions",
      ],
    ],
    [
      'a zone outside its region',
      { availabilityZones: [zone('us-west-2', 'us-east-1c')] },
      ['availabilityZones[0] (us-east-1c): zone is not in region us-west-2'],
    ],
    [
      'zones for one region only are fine (no AZ entries needed for the others)',
      {
        regions: [region('us-west-2'), region('us-east-1')],
        availabilityZones: [zone('us-west-2', 'us-west-2b')],
      },
      [],
    ],
    [
      'SubnetId and SecurityGroups from different levels, reported once for all instance types',
      {
        regions: [region('us-west-2'), region('us-east-1')],
        availabilityZones: [
          zone('us-west-2', 'us-west-2a', { launchSpec: { SubnetId: 'subnet-1' } }),
          zone('us-west-2', 'us-west-2b', { launchSpec: { SubnetId: 'subnet-2' } }),
        ],
      },
      [
        'availabilityZones[0] (us-west-2a).launchSpec: SubnetId cannot be used with SecurityGroups (set in launchSpec); use SecurityGroupIds',
        'availabilityZones[1] (us-west-2b).launchSpec: SubnetId cannot be used with SecurityGroups (set in launchSpec); use SecurityGroupIds',
      ],
    ],
    [
      'SubnetId and SecurityGroups on one level',
      { launchSpec: { SubnetId: 's', SecurityGroups: ['g'] } },
      ['launchSpec: SubnetId cannot be used with SecurityGroups; use SecurityGroupIds'],
    ],
    [
      'SubnetId with SecurityGroupIds is fine',
      { launchSpec: { SubnetId: 's', SecurityGroupIds: ['sg-1'] } },
      [],
    ],
    [
      'SecurityGroups set only by one instance type clashes only there',
      {
        launchSpec: { SubnetId: 's' },
        instanceTypes: [
          instanceType('c5.xlarge'),
          instanceType('c5.2xlarge', { launchSpec: { SecurityGroups: ['g'] } }),
        ],
      },
      [
        `launchSpec: SubnetId cannot be used with SecurityGroups (set in ${C52}.launchSpec); use SecurityGroupIds`,
      ],
    ],
    [
      'a later level overriding SubnetId keeps the clash but names the later level',
      {
        launchSpec: { SecurityGroups: ['g'], SubnetId: 'a' },
        regions: [region('us-west-2', { launchSpec: { ImageId: 'ami-1', SubnetId: 'b' } })],
      },
      [
        `${USW2}.launchSpec: SubnetId cannot be used with SecurityGroups (set in launchSpec); use SecurityGroupIds`,
      ],
    ],
    [
      'a non-positive capacity and utility',
      {
        instanceTypes: [
          instanceType('c5.xlarge', { capacity: 0 }),
          instanceType('c5.2xlarge', { utility: -1 }),
        ],
      },
      [`${C5}.capacity must be greater than 0, got 0`, `${C52}.utility must be greater than 0, got -1`],
    ],
    [
      'Placement that is not an object',
      { launchSpec: { Placement: 'us-west-2a' } },
      ['launchSpec: Placement must be an object'],
    ],
  ];

  it.each(cases)('%s', (_name, overrides, expected) => {
    expect(launchSpecProblems(definition(overrides))).toEqual(expected);
  });

  it('accepts every allowed key (except UserData) on the levels that may hold it', () => {
    const general = Object.fromEntries(
      ALLOWED_LAUNCH_SPEC_KEYS.filter(
        (k) => !['ImageId', 'InstanceType', 'UserData', 'SubnetId'].includes(k),
      ).map((k) => [k, k === 'Placement' ? { Tenancy: 'default' } : 'x']),
    );
    expect(launchSpecProblems(definition({ launchSpec: general }))).toEqual([]);
  });

  it('rejects a launchSpec that is not an object', () => {
    expect(launchSpecProblems(definition({ launchSpec: [] as unknown as Record<string, unknown> }))).toEqual([
      'launchSpec must be an object',
    ]);
  });

  describe('scoped to one offer', () => {
    const broken = definition({
      regions: [region('us-west-2'), region('us-east-1', { launchSpec: { ImageId: 'ami-1', Foo: 1 } })],
      instanceTypes: [instanceType('c5.xlarge'), instanceType('c5.2xlarge', { capacity: 0 })],
      availabilityZones: [
        zone('us-west-2', 'us-west-2a', { launchSpec: { Qux: 1 } }),
        zone('us-west-2', 'us-west-2b'),
      ],
    });
    const cases: [string, object, string[]][] = [
      [
        'the whole definition',
        {},
        [
          'regions[1] (us-east-1).launchSpec: invalid key "Foo"',
          `${C52}.capacity must be greater than 0, got 0`,
          'availabilityZones[0] (us-west-2a).launchSpec: invalid key "Qux"',
        ],
      ],
      ['a clean combination', { region: 'us-west-2', zone: 'us-west-2b', instanceType: 'c5.xlarge' }, []],
      [
        'a broken zone',
        { region: 'us-west-2', zone: 'us-west-2a', instanceType: 'c5.xlarge' },
        ['availabilityZones[0] (us-west-2a).launchSpec: invalid key "Qux"'],
      ],
      [
        'a broken region and type',
        { region: 'us-east-1', zone: 'us-east-1a', instanceType: 'c5.2xlarge' },
        [
          'regions[1] (us-east-1).launchSpec: invalid key "Foo"',
          `${C52}.capacity must be greater than 0, got 0`,
        ],
      ],
    ];
    it.each(cases)('%s', (_name, scope, expected) => {
      expect(launchSpecProblems(broken, scope)).toEqual(expected);
    });
  });
});

describe('zones', () => {
  const withZones = definition({
    regions: [region('us-west-2'), region('us-east-1')],
    availabilityZones: [zone('us-west-2', 'us-west-2b'), zone('us-west-2', 'us-west-2c')],
  });
  it.each([
    ['us-west-2', 'us-west-2b', true],
    ['us-west-2', 'us-west-2c', true],
    ['us-west-2', 'us-west-2a', false],
    ['us-east-1', 'us-east-1a', true],
    ['us-east-1', 'us-east-1f', true],
    ['us-east-1', 'us-west-2b', false],
  ])('%s / %s allowed: %s', (regionName, zoneName, allowed) => {
    expect(isZoneAllowed(withZones, regionName, zoneName)).toBe(allowed);
  });

  it('lists the configured zones of a region in definition order', () => {
    expect(configuredZones(withZones, 'us-west-2')).toEqual(['us-west-2b', 'us-west-2c']);
    expect(configuredZones(withZones, 'us-east-1')).toEqual([]);
  });
});

describe('mergeLevels', () => {
  it('merges shallowly, later levels win, nested objects are replaced whole', () => {
    const merged = mergeLevels([
      { a: 1, Placement: { Tenancy: 'dedicated', GroupName: 'g' }, keep: true },
      undefined,
      { a: 2, Placement: { Tenancy: 'default' } },
    ]);
    expect(merged).toEqual({ a: 2, Placement: { Tenancy: 'default' }, keep: true });
  });

  it('copies values so the result never aliases its inputs', () => {
    const level = { BlockDeviceMappings: [{ DeviceName: '/dev/sda1' }] };
    const merged = mergeLevels([level]);
    (merged.BlockDeviceMappings as { DeviceName: string }[])[0] = { DeviceName: 'changed' };
    expect(level.BlockDeviceMappings[0]?.DeviceName).toBe('/dev/sda1');
  });
});
