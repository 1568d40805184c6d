import { ec2Error } from './ec2-api-error.js';
import { fakeKeyPair, parsePublicKey } from './key-material.js';
import type { RegionStore } from './region-store.js';
import { validTags } from './resource-validation.js';
import { newResourceId, regionOf, type WorldContext } from './world-context.js';
import type { SimImage, SimKeyPair, SimSecurityGroup } from './world-records.js';

/** Images, security groups, key pairs and tags. */
export class ResourceManager {
  private nextSeq = 1;

  constructor(private readonly context: WorldContext) {}

  registerImage(
    region: string,
    input: {
      name: string;
      description?: string;
      architecture?: string;
      imageId?: string;
      tags?: Record<string, string>;
    },
  ): SimImage {
    const store = regionOf(this.context, region);
    if (!/^[a-zA-Z0-9().\-/_ ]{3,128}$/.test(input.name)) {
      throw ec2Error(
        'InvalidAMIName.Malformed',
        `AMI names must be between 3 and 128 characters long: ${input.name}`,
      );
    }
    for (const image of store.images.values()) {
      if (image.name === input.name) {
        throw ec2Error(
          'InvalidAMIName.Duplicate',
          `AMI name ${input.name} is already in use by AMI ${image.imageId}`,
        );
      }
    }
    const image: SimImage = {
      seq: this.nextSeq++,
      imageId:
        input.imageId ?? newResourceId(this.context, 'ami', (id) => store.images.get(id) !== undefined),
      name: input.name,
      ...(input.description === undefined ? {} : { description: input.description }),
      architecture: input.architecture ?? 'x86_64',
      creationDate: this.context.clock.now(),
      ownerId: this.context.scenario.accountId,
      tags: validTags(input.tags),
    };
    store.images.add(image);
    this.created(region, 'image', image.imageId);
    return image;
  }

  createSecurityGroup(
    region: string,
    input: { groupName: string; description: string; tags?: Record<string, string> },
  ): SimSecurityGroup {
    const store = regionOf(this.context, region);
    if (store.securityGroupByName(input.groupName) !== undefined) {
      throw ec2Error(
        'InvalidGroup.Duplicate',
        `The security group '${input.groupName}' already exists for VPC '${store.vpcId}'`,
      );
    }
    if (input.groupName.length > 255 || input.groupName.toLowerCase().startsWith('sg-')) {
      throw ec2Error('InvalidParameterValue', `Invalid value '${input.groupName}' for groupName.`);
    }
    const group: SimSecurityGroup = {
      seq: this.nextSeq++,
      groupId: newResourceId(this.context, 'sg', (id) => store.securityGroups.get(id) !== undefined),
      groupName: input.groupName,
      description: input.description,
      vpcId: store.vpcId,
      ownerId: this.context.scenario.accountId,
      tags: validTags(input.tags),
    };
    store.addSecurityGroup(group);
    this.created(region, 'security-group', group.groupId);
    return group;
  }

  importKeyPair(
    region: string,
    input: { keyName: string; publicKeyMaterial: string; tags?: Record<string, string> },
  ) {
    const store = regionOf(this.context, region);
    this.checkNewKeyName(store, input.keyName);
    const info = parsePublicKey(input.publicKeyMaterial);
    return this.addKeyPair(store, input.keyName, info, input.tags);
  }

  createKeyPair(
    region: string,
    input: { keyName: string; keyType?: 'rsa' | 'ed25519'; tags?: Record<string, string> },
  ): { keyPair: SimKeyPair; keyMaterial: string } {
    const store = regionOf(this.context, region);
    this.checkNewKeyName(store, input.keyName);
    const material = fakeKeyPair(this.context.random.ids, input.keyType ?? 'rsa');
    return {
      keyPair: this.addKeyPair(store, input.keyName, material, input.tags),
      keyMaterial: material.privateKey,
    };
  }

  /** Like EC2: deleting an unknown key name succeeds; an unknown key pair id does not. */
  deleteKeyPair(region: string, input: { keyName?: string; keyPairId?: string }): SimKeyPair | undefined {
    const store = regionOf(this.context, region);
    let keyPair = input.keyName === undefined ? undefined : store.keyPairs.get(input.keyName);
    if (input.keyPairId !== undefined) {
      keyPair = [...store.keyPairs.values()].find((candidate) => candidate.keyPairId === input.keyPairId);
      if (keyPair === undefined) {
        throw ec2Error('InvalidKeyPair.NotFound', `The key pair '${input.keyPairId}' does not exist`);
      }
    }
    if (keyPair !== undefined) {
      store.keyPairs.remove(keyPair);
      this.context.events.record('resource-deleted', { region, resource: 'key-pair', id: keyPair.keyName });
    }
    return keyPair;
  }

  /** Tags several resources at once: every id is checked before any is tagged. */
  createTags(region: string, resourceIds: readonly string[], tags: Record<string, string>): void {
    const store = regionOf(this.context, region);
    const now = this.context.clock.now();
    const targets = resourceIds.map((id) => this.taggable(store, id, now));
    const updated = targets.map((target) => validTags(tags, target.tags));
    targets.forEach((target, i) => {
      target.tags = updated[i] as Map<string, string>;
    });
    this.context.events.record('tags-created', { region, resourceIds: [...resourceIds], tags: { ...tags } });
  }

  private taggable(store: RegionStore, id: string, now: number): { tags: Map<string, string> } {
    const prefix = id.slice(0, id.indexOf('-'));
    const found =
      prefix === 'i'
        ? store.visibleInstance(id, now)
        : prefix === 'sir'
          ? store.visibleSpotRequest(id, now)
          : prefix === 'ami'
            ? store.images.get(id)
            : prefix === 'sg'
              ? store.securityGroups.get(id)
              : prefix === 'key'
                ? [...store.keyPairs.values()].find((keyPair) => keyPair.keyPairId === id)
                : undefined;
    if (found !== undefined) return found;
    const notFound: Record<string, [string, string]> = {
      i: ['InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`],
      sir: ['InvalidSpotInstanceRequestID.NotFound', `The spot instance request ID '${id}' does not exist`],
      ami: ['InvalidAMIID.NotFound', `The image id '[${id}]' does not exist`],
      sg: ['InvalidGroup.NotFound', `The security group '${id}' does not exist`],
      key: ['InvalidKeyPair.NotFound', `The key pair '${id}' does not exist`],
    };
    const [code, message] = notFound[prefix] ?? ['InvalidID', `The ID '${id}' is not valid`];
    throw ec2Error(code, message);
  }

  private checkNewKeyName(store: RegionStore, keyName: string): void {
    if (keyName.length === 0 || keyName.length > 255 || !/^[\x20-\x7e]+$/.test(keyName)) {
      throw ec2Error('InvalidParameterValue', `Invalid value '${keyName}' for keyName.`);
    }
    if (store.keyPairs.get(keyName) !== undefined) {
      throw ec2Error('InvalidKeyPair.Duplicate', `The keypair '${keyName}' already exists.`);
    }
  }

  private addKeyPair(
    store: RegionStore,
    keyName: string,
    info: { keyType: 'rsa' | 'ed25519'; fingerprint: string; publicKey: string },
    tags?: Record<string, string>,
  ): SimKeyPair {
    const keyPair: SimKeyPair = {
      seq: this.nextSeq++,
      keyPairId: newResourceId(this.context, 'key', () => false),
      keyName,
      keyType: info.keyType,
      fingerprint: info.fingerprint,
      publicKey: info.publicKey,
      createTime: this.context.clock.now(),
      tags: validTags(tags),
    };
    store.keyPairs.add(keyPair);
    this.created(store.name, 'key-pair', keyName);
    return keyPair;
  }

  private created(region: string, resource: string, id: string): void {
    this.context.events.record('resource-created', { region, resource, id });
  }
}
