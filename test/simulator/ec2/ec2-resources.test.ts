import {
  CreateKeyPairCommand,
  CreateSecurityGroupCommand,
  CreateTagsCommand,
  DeleteKeyPairCommand,
  DescribeAvailabilityZonesCommand,
  DescribeImagesCommand,
  DescribeKeyPairsCommand,
  DescribeRegionsCommand,
  DescribeSecurityGroupsCommand,
  ImportKeyPairCommand,
  paginateDescribeImages,
  RegisterImageCommand,
} from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultImageId } from '../../../src/simulator/ec2/scenario.js';
import { errorCodeOf, type SimulatedEc2, startSimulatedEc2 } from './simulated-ec2.js';

/** An OpenSSH ed25519 public key line with the given 32 key bytes. */
function ed25519PublicKey(fill: number): string {
  const type = Buffer.from('ssh-ed25519');
  const key = Buffer.alloc(32, fill);
  const length = (bytes: Buffer) => {
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32BE(bytes.length);
    return prefix;
  };
  return `ssh-ed25519 ${Buffer.concat([length(type), type, length(key), key]).toString('base64')} test@example`;
}

describe('simulated EC2: regions, zones, images, security groups, key pairs, tags', () => {
  let sim: SimulatedEc2;

  beforeEach(async () => {
    sim = await startSimulatedEc2();
  });
  afterEach(async () => {
    await sim.close();
  });

  it('describes the default regions and rejects unknown region names', async () => {
    const ec2 = sim.client();
    const all = await ec2.send(new DescribeRegionsCommand({}));
    expect(all.Regions?.map((region) => region.RegionName)).toEqual([
      'us-west-1',
      'us-west-2',
      'us-east-1',
      'us-east-2',
      'eu-central-1',
    ]);
    const one = await ec2.send(new DescribeRegionsCommand({ RegionNames: ['us-east-2'] }));
    expect(one.Regions).toEqual([
      {
        RegionName: 'us-east-2',
        Endpoint: 'ec2.us-east-2.amazonaws.com',
        OptInStatus: 'opt-in-not-required',
      },
    ]);
    expect(await errorCodeOf(ec2.send(new DescribeRegionsCommand({ RegionNames: ['mars-north-1'] })))).toBe(
      'InvalidParameterValue',
    );
  });

  it('answers for the region of the request signature', async () => {
    const zones = await sim.client('us-west-2').send(new DescribeAvailabilityZonesCommand({}));
    expect(zones.AvailabilityZones?.map((zone) => [zone.ZoneName, zone.ZoneId, zone.State])).toEqual([
      ['us-west-2a', 'usw2-az1', 'available'],
      ['us-west-2b', 'usw2-az2', 'available'],
      ['us-west-2c', 'usw2-az3', 'available'],
      ['us-west-2d', 'usw2-az4', 'available'],
    ]);
    const filtered = await sim
      .client('eu-central-1')
      .send(new DescribeAvailabilityZonesCommand({ Filters: [{ Name: 'zone-id', Values: ['euc1-az2'] }] }));
    expect(filtered.AvailabilityZones?.map((zone) => zone.ZoneName)).toEqual(['eu-central-1b']);
  });

  it('finds registered images per region, with EC2 errors for unknown and malformed ids', async () => {
    const ec2 = sim.client('us-east-2');
    const defaultImage = defaultImageId('us-east-2');
    const found = await ec2.send(new DescribeImagesCommand({ ImageIds: [defaultImage] }));
    expect(found.Images?.map((image) => [image.ImageId, image.State])).toEqual([[defaultImage, 'available']]);

    const registered = await ec2.send(
      new RegisterImageCommand({
        Name: 'docker-worker-v2',
        TagSpecifications: [{ ResourceType: 'image', Tags: [{ Key: 'team', Value: 'ci' }] }],
      }),
    );
    const byName = await ec2.send(
      new DescribeImagesCommand({ Filters: [{ Name: 'name', Values: ['docker-*'] }] }),
    );
    expect(byName.Images?.map((image) => [image.ImageId, image.Tags])).toEqual([
      [registered.ImageId, [{ Key: 'team', Value: 'ci' }]],
    ]);
    expect(await errorCodeOf(ec2.send(new RegisterImageCommand({ Name: 'docker-worker-v2' })))).toBe(
      'InvalidAMIName.Duplicate',
    );
    const elsewhere = sim.client('us-west-1');
    expect(
      await errorCodeOf(
        elsewhere.send(new DescribeImagesCommand({ ImageIds: [registered.ImageId as string] })),
      ),
    ).toBe('InvalidAMIID.NotFound');
    expect(await errorCodeOf(ec2.send(new DescribeImagesCommand({ ImageIds: ['ami-nothex'] })))).toBe(
      'InvalidAMIID.Malformed',
    );
  });

  it('pages through images with NextToken', async () => {
    const ec2 = sim.client();
    for (let i = 0; i < 7; i++) await ec2.send(new RegisterImageCommand({ Name: `image-${i}` }));
    const pages: string[][] = [];
    for await (const page of paginateDescribeImages({ client: ec2 }, { MaxResults: 5 })) {
      pages.push((page.Images ?? []).map((image) => image.ImageId as string));
    }
    expect(pages.map((page) => page.length)).toEqual([5, 3]);
    expect(new Set(pages.flat()).size).toBe(8);
    expect(await errorCodeOf(ec2.send(new DescribeImagesCommand({ MaxResults: 2 })))).toBe(
      'InvalidParameterValue',
    );
    expect(await errorCodeOf(ec2.send(new DescribeImagesCommand({ NextToken: 'garbage' })))).toBe(
      'InvalidPaginationToken',
    );
  });

  it('creates and finds security groups by name and id', async () => {
    const ec2 = sim.client();
    const created = await ec2.send(
      new CreateSecurityGroupCommand({ GroupName: 'docker-worker', Description: 'workers' }),
    );
    expect(created.GroupId).toMatch(/^sg-[0-9a-f]{17}$/);
    const byName = await ec2.send(
      new DescribeSecurityGroupsCommand({ GroupNames: ['docker-worker', 'default'] }),
    );
    expect(byName.SecurityGroups?.map((group) => group.GroupName).sort()).toEqual([
      'default',
      'docker-worker',
    ]);
    const byId = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [created.GroupId as string] }));
    expect(byId.SecurityGroups?.[0]?.Description).toBe('workers');
    expect(await errorCodeOf(ec2.send(new DescribeSecurityGroupsCommand({ GroupNames: ['missing'] })))).toBe(
      'InvalidGroup.NotFound',
    );
    expect(
      await errorCodeOf(
        ec2.send(new CreateSecurityGroupCommand({ GroupName: 'docker-worker', Description: 'again' })),
      ),
    ).toBe('InvalidGroup.Duplicate');
    expect(
      await errorCodeOf(ec2.send(new CreateSecurityGroupCommand({ GroupName: 'no-description' } as never))),
    ).toBe('MissingParameter');
  });

  it('imports, creates, describes and deletes key pairs like EC2', async () => {
    const ec2 = sim.client();
    const publicKey = ed25519PublicKey(7);
    const imported = await ec2.send(
      new ImportKeyPairCommand({
        KeyName: 'aws-provisioner-v1-managed:abc1234',
        PublicKeyMaterial: Buffer.from(publicKey),
      }),
    );
    expect(imported.KeyFingerprint).toMatch(/=$/);
    const described = await ec2.send(
      new DescribeKeyPairsCommand({
        KeyNames: ['aws-provisioner-v1-managed:abc1234'],
        IncludePublicKey: true,
      }),
    );
    expect(described.KeyPairs?.[0]).toMatchObject({
      KeyName: 'aws-provisioner-v1-managed:abc1234',
      KeyType: 'ed25519',
      KeyFingerprint: imported.KeyFingerprint,
      PublicKey: publicKey.split(' ').slice(0, 2).join(' '),
    });
    expect(
      await errorCodeOf(
        ec2.send(
          new ImportKeyPairCommand({
            KeyName: 'aws-provisioner-v1-managed:abc1234',
            PublicKeyMaterial: Buffer.from(publicKey),
          }),
        ),
      ),
    ).toBe('InvalidKeyPair.Duplicate');
    expect(
      await errorCodeOf(
        ec2.send(new ImportKeyPairCommand({ KeyName: 'bad', PublicKeyMaterial: Buffer.from('not a key') })),
      ),
    ).toBe('InvalidKey.Format');

    const created = await ec2.send(new CreateKeyPairCommand({ KeyName: 'made-here' }));
    expect(created.KeyMaterial).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    await ec2.send(new DeleteKeyPairCommand({ KeyName: 'made-here' }));
    expect(await errorCodeOf(ec2.send(new DescribeKeyPairsCommand({ KeyNames: ['made-here'] })))).toBe(
      'InvalidKeyPair.NotFound',
    );
    // EC2 answers success for deleting a key name that does not exist.
    await expect(ec2.send(new DeleteKeyPairCommand({ KeyName: 'made-here' }))).resolves.toBeDefined();
    expect(
      await errorCodeOf(ec2.send(new DeleteKeyPairCommand({ KeyPairId: 'key-00000000000000000' }))),
    ).toBe('InvalidKeyPair.NotFound');
  });

  it('tags resources, refusing unknown ids and reserved keys', async () => {
    const ec2 = sim.client();
    const image = defaultImageId('us-east-1');
    await ec2.send(new CreateTagsCommand({ Resources: [image], Tags: [{ Key: 'Owner', Value: 'me' }] }));
    const described = await ec2.send(
      new DescribeImagesCommand({ Filters: [{ Name: 'tag:Owner', Values: ['me'] }] }),
    );
    expect(described.Images?.map((i) => i.ImageId)).toEqual([image]);
    expect(
      await errorCodeOf(
        ec2.send(
          new CreateTagsCommand({ Resources: ['i-0123456789abcdef0'], Tags: [{ Key: 'a', Value: 'b' }] }),
        ),
      ),
    ).toBe('InvalidInstanceID.NotFound');
    expect(
      await errorCodeOf(
        ec2.send(new CreateTagsCommand({ Resources: [image], Tags: [{ Key: 'aws:x', Value: 'b' }] })),
      ),
    ).toBe('InvalidParameterValue');
    expect(
      await errorCodeOf(
        ec2.send(new CreateTagsCommand({ Resources: ['vol-1234'], Tags: [{ Key: 'a', Value: 'b' }] })),
      ),
    ).toBe('InvalidID');
  });
});
