import { checkMaxResults, compileFilters, paginate } from './describe-filters.js';
import { checkIdFormat, ec2Error, missingParameter } from './ec2-api-error.js';
import type { ActionHandler } from './query-action.js';
import type { SimImage, SimKeyPair, SimSecurityGroup } from './world-records.js';
import { isoTime, tagSet, type XmlObject } from './xml-writer.js';

const ARCHITECTURES = ['i386', 'x86_64', 'arm64', 'x86_64_mac', 'arm64_mac'];

function imageXml(image: SimImage): XmlObject {
  return {
    imageId: image.imageId,
    imageLocation: `${image.ownerId}/${image.name}`,
    imageState: 'available',
    imageOwnerId: image.ownerId,
    creationDate: isoTime(image.creationDate),
    isPublic: false,
    architecture: image.architecture,
    imageType: 'machine',
    name: image.name,
    description: image.description,
    rootDeviceType: 'ebs',
    rootDeviceName: '/dev/xvda',
    virtualizationType: 'hvm',
    hypervisor: 'xen',
    enaSupport: true,
    platformDetails: 'Linux/UNIX',
    usageOperation: 'RunInstances',
    tagSet: tagSet(image.tags),
  };
}

export const describeImages: ActionHandler = ({ world, region, params }) => {
  const store = world.region(region);
  const ids = params.strings('ImageId');
  for (const id of ids) checkIdFormat(id, 'ami', 'InvalidAMIID.Malformed');
  const missing = ids.filter((id) => store.images.get(id) === undefined);
  if (missing.length > 0) {
    throw ec2Error('InvalidAMIID.NotFound', `The image id '[${missing.join(', ')}]' does not exist`);
  }
  const maxResults = params.int('MaxResults');
  checkMaxResults(maxResults, 5, 1000);
  const owners = params.strings('Owner');
  const accountId = world.scenario.accountId;
  const ownerMatches = owners.length === 0 || owners.some((owner) => owner === 'self' || owner === accountId);
  const matches = compileFilters<SimImage>(params.filters(), {
    fields: {
      'image-id': (image) => image.imageId,
      name: (image) => image.name,
      description: (image) => image.description,
      state: () => 'available',
      'owner-id': (image) => image.ownerId,
      architecture: (image) => image.architecture,
      'is-public': () => 'false',
      'image-type': () => 'machine',
      'root-device-type': () => 'ebs',
      'virtualization-type': () => 'hvm',
    },
    tags: (image) => image.tags,
  });
  const page = paginate(
    store.images,
    (image) => ownerMatches && (ids.length === 0 || ids.includes(image.imageId)) && matches(image),
    {
      ...(maxResults === undefined ? {} : { maxResults }),
      ...optionalToken(params.string('NextToken')),
      scope: `DescribeImages|${region}`,
    },
  );
  return { imagesSet: page.items.map(imageXml), nextToken: page.nextToken };
};

export const registerImage: ActionHandler = ({ world, region, params }) => {
  const architecture = params.string('Architecture');
  if (architecture !== undefined && !ARCHITECTURES.includes(architecture)) {
    throw ec2Error('InvalidParameterValue', `Invalid value '${architecture}' for architecture.`);
  }
  const tags = params.tagSpecifications(['image', 'snapshot']).get('image');
  const description = params.string('Description');
  const image = world.resources.registerImage(region, {
    name: params.required('Name'),
    ...(description === undefined ? {} : { description }),
    ...(architecture === undefined ? {} : { architecture }),
    ...(tags === undefined ? {} : { tags }),
  });
  return { imageId: image.imageId };
};

function groupXml(group: SimSecurityGroup, region: string): XmlObject {
  return {
    ownerId: group.ownerId,
    groupId: group.groupId,
    groupName: group.groupName,
    groupDescription: group.description,
    vpcId: group.vpcId,
    securityGroupArn: `arn:aws:ec2:${region}:${group.ownerId}:security-group/${group.groupId}`,
    tagSet: tagSet(group.tags),
  };
}

export const describeSecurityGroups: ActionHandler = ({ world, region, params }) => {
  const store = world.region(region);
  const names = params.strings('GroupName');
  const ids = params.strings('GroupId');
  for (const name of names) {
    if (store.securityGroupByName(name) === undefined) {
      throw ec2Error(
        'InvalidGroup.NotFound',
        `The security group '${name}' does not exist in default VPC '${store.vpcId}'`,
      );
    }
  }
  for (const id of ids) {
    checkIdFormat(id, 'sg', 'InvalidGroupId.Malformed');
    if (store.securityGroups.get(id) === undefined) {
      throw ec2Error('InvalidGroup.NotFound', `The security group '${id}' does not exist`);
    }
  }
  const maxResults = params.int('MaxResults');
  checkMaxResults(maxResults, 5, 1000);
  const matches = compileFilters<SimSecurityGroup>(params.filters(), {
    fields: {
      'group-name': (group) => group.groupName,
      'group-id': (group) => group.groupId,
      description: (group) => group.description,
      'vpc-id': (group) => group.vpcId,
      'owner-id': (group) => group.ownerId,
    },
    tags: (group) => group.tags,
  });
  const wanted = (group: SimSecurityGroup) =>
    (names.length === 0 || names.includes(group.groupName)) &&
    (ids.length === 0 || ids.includes(group.groupId));
  const page = paginate(store.securityGroups, (group) => wanted(group) && matches(group), {
    ...(maxResults === undefined ? {} : { maxResults }),
    ...optionalToken(params.string('NextToken')),
    scope: `DescribeSecurityGroups|${region}`,
  });
  return { securityGroupInfo: page.items.map((group) => groupXml(group, region)), nextToken: page.nextToken };
};

export const createSecurityGroup: ActionHandler = ({ world, region, params }) => {
  const vpcId = params.string('VpcId');
  if (vpcId !== undefined && vpcId !== world.region(region).vpcId) {
    throw ec2Error('InvalidVpcID.NotFound', `The vpc ID '${vpcId}' does not exist`);
  }
  const tags = params.tagSpecifications(['security-group']).get('security-group');
  const group = world.resources.createSecurityGroup(region, {
    groupName: params.required('GroupName'),
    description: params.required('GroupDescription'),
    ...(tags === undefined ? {} : { tags }),
  });
  return {
    groupId: group.groupId,
    tagSet: tagSet(group.tags),
    securityGroupArn: `arn:aws:ec2:${region}:${group.ownerId}:security-group/${group.groupId}`,
  };
};

function keyPairXml(keyPair: SimKeyPair, includePublicKey: boolean): XmlObject {
  return {
    keyPairId: keyPair.keyPairId,
    keyType: keyPair.keyType,
    tagSet: tagSet(keyPair.tags),
    publicKey: includePublicKey ? keyPair.publicKey : undefined,
    createTime: isoTime(keyPair.createTime),
    keyName: keyPair.keyName,
    keyFingerprint: keyPair.fingerprint,
  };
}

export const describeKeyPairs: ActionHandler = ({ world, region, params }) => {
  const store = world.region(region);
  const names = params.strings('KeyName');
  const ids = params.strings('KeyPairId');
  const all = [...store.keyPairs.values()];
  for (const name of names) store.keyPair(name);
  for (const id of ids) {
    if (!all.some((keyPair) => keyPair.keyPairId === id)) {
      throw ec2Error('InvalidKeyPair.NotFound', `The key pair '${id}' does not exist`);
    }
  }
  const matches = compileFilters<SimKeyPair>(params.filters(), {
    fields: {
      'key-name': (keyPair) => keyPair.keyName,
      'key-pair-id': (keyPair) => keyPair.keyPairId,
      fingerprint: (keyPair) => keyPair.fingerprint,
      'key-type': (keyPair) => keyPair.keyType,
    },
    tags: (keyPair) => keyPair.tags,
  });
  const wanted = all.filter(
    (keyPair) =>
      (names.length === 0 || names.includes(keyPair.keyName)) &&
      (ids.length === 0 || ids.includes(keyPair.keyPairId)) &&
      matches(keyPair),
  );
  const includePublicKey = params.bool('IncludePublicKey');
  return { keySet: wanted.map((keyPair) => keyPairXml(keyPair, includePublicKey)) };
};

export const importKeyPair: ActionHandler = ({ world, region, params }) => {
  const keyName = params.required('KeyName');
  const material = params.required('PublicKeyMaterial');
  // The SDK sends the key base64-encoded (a blob); the CLI of old sent it as text. EC2 takes both.
  const decoded = Buffer.from(material, 'base64').toString('utf8');
  const publicKeyMaterial = /^ssh-/.test(decoded) ? decoded : material;
  const tags = params.tagSpecifications(['key-pair']).get('key-pair');
  const keyPair = world.resources.importKeyPair(region, {
    keyName,
    publicKeyMaterial,
    ...(tags ? { tags } : {}),
  });
  return {
    keyFingerprint: keyPair.fingerprint,
    keyName: keyPair.keyName,
    keyPairId: keyPair.keyPairId,
    tagSet: tagSet(keyPair.tags),
  };
};

export const createKeyPair: ActionHandler = ({ world, region, params }) => {
  const keyName = params.required('KeyName');
  const keyType = params.string('KeyType') ?? 'rsa';
  if (keyType !== 'rsa' && keyType !== 'ed25519')
    throw ec2Error('InvalidParameterValue', `Invalid value '${keyType}' for KeyType.`);
  const keyFormat = params.string('KeyFormat') ?? 'pem';
  if (keyFormat !== 'pem' && keyFormat !== 'ppk')
    throw ec2Error('InvalidParameterValue', `Invalid value '${keyFormat}' for KeyFormat.`);
  const tags = params.tagSpecifications(['key-pair']).get('key-pair');
  const { keyPair, keyMaterial } = world.resources.createKeyPair(region, {
    keyName,
    keyType,
    ...(tags ? { tags } : {}),
  });
  return {
    keyName: keyPair.keyName,
    keyFingerprint: keyPair.fingerprint,
    keyMaterial,
    keyPairId: keyPair.keyPairId,
    tagSet: tagSet(keyPair.tags),
  };
};

export const deleteKeyPair: ActionHandler = ({ world, region, params }) => {
  const keyName = params.string('KeyName');
  const keyPairId = params.string('KeyPairId');
  if (keyName === undefined && keyPairId === undefined) throw missingParameter('KeyName or KeyPairId');
  const deleted = world.resources.deleteKeyPair(region, {
    ...(keyName === undefined ? {} : { keyName }),
    ...(keyPairId === undefined ? {} : { keyPairId }),
  });
  return { return: true, keyPairId: deleted?.keyPairId };
};

export const createTags: ActionHandler = ({ world, region, params }) => {
  const resourceIds = params.strings('ResourceId');
  if (resourceIds.length === 0) throw missingParameter('ResourceId');
  const tags = params.tags('Tag');
  if (Object.keys(tags).length === 0) throw missingParameter('Tag');
  world.resources.createTags(region, resourceIds, tags);
  return { return: true };
};

export function optionalToken(token: string | undefined): { nextToken?: string } {
  return token === undefined ? {} : { nextToken: token };
}
