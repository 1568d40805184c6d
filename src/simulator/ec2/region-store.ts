import { ec2Error } from './ec2-api-error.js';
import { OrderedIndex } from './ordered-index.js';
import type { RegionScenario, ZoneScenario } from './scenario.js';
import type {
  SecurityGroupRef,
  SimImage,
  SimInstance,
  SimKeyPair,
  SimSecurityGroup,
  SimSpotRequest,
} from './world-records.js';

/** Remembered launches by client token: a retry returns them, different arguments are refused. */
export interface IdempotentLaunch<T> {
  fingerprint: string;
  result: T;
}

/** One region's resources and indexes. */
export class RegionStore {
  readonly name: string;
  readonly zones: readonly ZoneScenario[];
  readonly vpcId: string;
  readonly instances = new OrderedIndex<SimInstance>((instance) => instance.instanceId);
  readonly spotRequests = new OrderedIndex<SimSpotRequest>((request) => request.spotRequestId);
  readonly images = new OrderedIndex<SimImage>((image) => image.imageId);
  readonly securityGroups = new OrderedIndex<SimSecurityGroup>((group) => group.groupId);
  readonly keyPairs = new OrderedIndex<SimKeyPair>((keyPair) => keyPair.keyName);
  readonly runTokens = new Map<
    string,
    IdempotentLaunch<{ reservationId: string; instances: SimInstance[] }>
  >();
  readonly spotTokens = new Map<string, IdempotentLaunch<SimSpotRequest[]>>();
  /** Live spot instances plus open spot requests (the MaxSpotInstanceCountExceeded limit). */
  spotInUse = 0;
  /** vCPUs of live on-demand instances (the VcpuLimitExceeded limit). */
  onDemandVcpus = 0;
  private readonly zonesByName: Map<string, ZoneScenario>;
  private readonly groupsByName = new Map<string, SimSecurityGroup>();

  constructor(scenario: RegionScenario, vpcId: string) {
    this.name = scenario.name;
    this.zones = scenario.zones;
    this.vpcId = vpcId;
    this.zonesByName = new Map(scenario.zones.map((zone) => [zone.name, zone]));
  }

  /**
   * A client token is answered while any instance (or spot request) of its launch is still visible. AWS
   * keeps it at least 24 h after termination; the simulator forgets terminated instances sooner, and a
   * token kept longer would keep every launch's records in memory for the whole run.
   */
  forgetTokenOf(resource: { clientToken?: string }): void {
    const token = resource.clientToken;
    if (token === undefined) return;
    const run = this.runTokens.get(token);
    if (run?.result.instances.every((i) => this.instances.get(i.instanceId) === undefined)) {
      this.runTokens.delete(token);
    }
    const spot = this.spotTokens.get(token);
    if (spot?.result.every((r) => this.spotRequests.get(r.spotRequestId) === undefined)) {
      this.spotTokens.delete(token);
    }
  }

  zone(name: string): ZoneScenario {
    const zone = this.zonesByName.get(name);
    if (zone === undefined) throw ec2Error('InvalidParameterValue', `Invalid availability zone: [${name}]`);
    return zone;
  }

  hasZone(name: string): boolean {
    return this.zonesByName.has(name);
  }

  zoneIdOf(name: string): string | undefined {
    return this.zonesByName.get(name)?.id;
  }

  image(imageId: string): SimImage {
    const image = this.images.get(imageId);
    if (image === undefined)
      throw ec2Error('InvalidAMIID.NotFound', `The image id '[${imageId}]' does not exist`);
    return image;
  }

  keyPair(keyName: string): SimKeyPair {
    const keyPair = this.keyPairs.get(keyName);
    if (keyPair === undefined)
      throw ec2Error('InvalidKeyPair.NotFound', `The key pair '${keyName}' does not exist`);
    return keyPair;
  }

  addSecurityGroup(group: SimSecurityGroup): void {
    this.securityGroups.add(group);
    this.groupsByName.set(group.groupName, group);
  }

  securityGroupByName(name: string): SimSecurityGroup | undefined {
    return this.groupsByName.get(name);
  }

  /** Resolves names and ids; the first unknown one fails as EC2 reports it. */
  resolveSecurityGroups(names: readonly string[], ids: readonly string[]): SecurityGroupRef[] {
    const refs: SecurityGroupRef[] = [];
    for (const name of names) {
      const group = this.groupsByName.get(name);
      if (group === undefined) {
        throw ec2Error(
          'InvalidGroup.NotFound',
          `The security group '${name}' does not exist in VPC '${this.vpcId}'`,
        );
      }
      refs.push({ groupId: group.groupId, groupName: group.groupName });
    }
    for (const id of ids) {
      const group = this.securityGroups.get(id);
      if (group === undefined)
        throw ec2Error('InvalidGroup.NotFound', `The security group '${id}' does not exist`);
      refs.push({ groupId: group.groupId, groupName: group.groupName });
    }
    if (refs.length === 0) {
      const fallback = this.groupsByName.get('default');
      if (fallback !== undefined) refs.push({ groupId: fallback.groupId, groupName: fallback.groupName });
    }
    return refs;
  }

  /** The instance, if it exists and Describe* would show it at `now`. */
  visibleInstance(instanceId: string, now: number): SimInstance | undefined {
    const instance = this.instances.get(instanceId);
    return instance !== undefined && instance.visibleAt <= now ? instance : undefined;
  }

  visibleSpotRequest(spotRequestId: string, now: number): SimSpotRequest | undefined {
    const request = this.spotRequests.get(spotRequestId);
    return request !== undefined && request.visibleAt <= now ? request : undefined;
  }
}
