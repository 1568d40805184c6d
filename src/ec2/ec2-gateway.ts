import {
  CancelSpotInstanceRequestsCommand,
  CreateKeyPairCommand,
  DeleteKeyPairCommand,
  DescribeAvailabilityZonesCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeKeyPairsCommand,
  DescribeSecurityGroupsCommand,
  DescribeSpotInstanceRequestsCommand,
  DescribeSpotPriceHistoryCommand,
  type EC2Client,
  type Filter,
  ImportKeyPairCommand,
  type Instance,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { classifyEc2Error } from './classify-ec2-error.js';
import { Ec2Caller, type Ec2CallerOptions, type SendOptions } from './ec2-caller.js';
import { toInstance, toRunInstancesInput, toSpotRequest } from './ec2-mapping.js';
import type {
  AvailabilityZone,
  CallOptions,
  Ec2Error,
  Ec2Instance,
  Ec2Port,
  Ec2SpotRequest,
  LaunchRequest,
  LaunchResult,
  SpotPrice,
  TagFilter,
} from './ec2-port.js';
import { sendSkippingGone } from './send-skipping-gone.js';

// Where the gateway's users have always imported it from.
export type { Ec2CallEvent } from './ec2-caller.js';

export interface Ec2GatewayOptions extends Ec2CallerOptions {
  regions: readonly string[];
}

/**
 * The EC2 port over `@aws-sdk/client-ec2`: one client per region, each region's calls within its own
 * concurrency and rate budget, retries with back-off on throttling and 5xx, and every error classified
 * once into the port's vocabulary.
 */
export class Ec2Gateway implements Ec2Port {
  private readonly caller: Ec2Caller;
  /**
   * Each SDK instance mapped, by the object the lean reader returned: it returns the same object for an
   * instance whose XML has not changed, so an unchanged instance is not mapped again either.
   */
  private readonly mapped = new WeakMap<Instance, Ec2Instance>();

  constructor(options: Ec2GatewayOptions) {
    this.caller = new Ec2Caller(options);
  }

  /** HTTP calls in flight now (not those waiting for a budget or a back-off): lets a virtual-time driver tell I/O from waiting. */
  get inFlightCalls(): number {
    return this.caller.inFlight;
  }

  async describeAvailabilityZones(region: string, options?: CallOptions): Promise<AvailabilityZone[]> {
    const out = await this.call(
      region,
      'DescribeAvailabilityZones',
      (c, o) =>
        c.send(
          new DescribeAvailabilityZonesCommand({ Filters: [{ Name: 'state', Values: ['available'] }] }),
          o,
        ),
      options,
    );
    return (out.AvailabilityZones ?? []).map((z) => ({ zoneName: z.ZoneName ?? '', zoneId: z.ZoneId ?? '' }));
  }

  async describeSpotPrices(
    region: string,
    since: number,
    instanceTypes?: readonly string[],
    options?: CallOptions,
  ): Promise<SpotPrice[]> {
    const pages = this.pages(region, 'DescribeSpotPriceHistory', options, (client, NextToken, o) =>
      client.send(
        new DescribeSpotPriceHistoryCommand({
          StartTime: new Date(since),
          ProductDescriptions: ['Linux/UNIX'],
          ...(instanceTypes ? { InstanceTypes: [...instanceTypes] as never } : {}),
          MaxResults: 1000,
          NextToken,
        }),
        o,
      ),
    );
    const prices: SpotPrice[] = [];
    for await (const page of pages) {
      for (const p of page.SpotPriceHistory ?? []) {
        // A malformed entry is dropped: NaN would pass every price limit it is compared with.
        const price = Number(p.SpotPrice);
        if (!(Number.isFinite(price) && price >= 0)) continue;
        prices.push({
          region,
          zone: p.AvailabilityZone ?? '',
          instanceType: p.InstanceType ?? '',
          price,
          timestamp: p.Timestamp?.getTime() ?? since,
        });
      }
    }
    return prices;
  }

  async existingImages(region: string, imageIds: readonly string[]): Promise<Set<string>> {
    // A filter, not ImageIds: EC2 fails the whole call when one listed id is unknown.
    const out = await this.call(region, 'DescribeImages', (c) =>
      c.send(new DescribeImagesCommand({ Filters: [{ Name: 'image-id', Values: [...imageIds] }] })),
    );
    return new Set((out.Images ?? []).map((i) => i.ImageId ?? ''));
  }

  async existingSecurityGroups(region: string, names: readonly string[]): Promise<Set<string>> {
    const out = await this.call(region, 'DescribeSecurityGroups', (c) =>
      c.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: [...names] }] })),
    );
    return new Set((out.SecurityGroups ?? []).map((g) => g.GroupName ?? ''));
  }

  async ensureKeyPair(region: string, name: string, publicKey: string | undefined): Promise<void> {
    const found = await this.call(region, 'DescribeKeyPairs', (c) =>
      c.send(new DescribeKeyPairsCommand({ Filters: [{ Name: 'key-name', Values: [name] }] })),
    );
    if ((found.KeyPairs ?? []).length > 0) return;
    try {
      if (publicKey) {
        await this.call(region, 'ImportKeyPair', (c) =>
          c.send(
            new ImportKeyPairCommand({
              KeyName: name,
              PublicKeyMaterial: new TextEncoder().encode(publicKey),
            }),
          ),
        );
      } else {
        // No public key configured: EC2 makes one and its private half is dropped here, never stored.
        await this.call(region, 'CreateKeyPair', (c) => c.send(new CreateKeyPairCommand({ KeyName: name })));
      }
    } catch (error) {
      // Another replica created it meanwhile.
      if ((error as Ec2Error).awsCode !== 'InvalidKeyPair.Duplicate') throw error;
    }
  }

  async keyPairNames(region: string, patterns: readonly string[]): Promise<string[]> {
    const found = await this.call(region, 'DescribeKeyPairs', (c) =>
      c.send(new DescribeKeyPairsCommand({ Filters: [{ Name: 'key-name', Values: [...patterns] }] })),
    );
    return (found.KeyPairs ?? []).flatMap((k) => (k.KeyName ? [k.KeyName] : []));
  }

  async deleteKeyPair(region: string, name: string): Promise<void> {
    await this.call(region, 'DeleteKeyPair', (c) => c.send(new DeleteKeyPairCommand({ KeyName: name })));
  }

  async describeInstances(region: string, filter: TagFilter, options?: CallOptions): Promise<Ec2Instance[]> {
    const instances: Ec2Instance[] = [];
    const pages = this.pages(region, 'DescribeInstances', options, (client, NextToken, o) =>
      client.send(
        new DescribeInstancesCommand({
          Filters: filtersOf(filter, 'instance-state-name'),
          MaxResults: 1000,
          NextToken,
        }),
        o,
      ),
    );
    for await (const page of pages) {
      for (const reservation of page.Reservations ?? []) {
        for (const instance of reservation.Instances ?? []) instances.push(this.toInstance(region, instance));
      }
    }
    return instances;
  }

  private toInstance(region: string, instance: Instance): Ec2Instance {
    const known = this.mapped.get(instance);
    if (known?.region === region) return known;
    const mapped = toInstance(region, instance);
    this.mapped.set(instance, mapped);
    return mapped;
  }

  async describeSpotRequests(
    region: string,
    filter: TagFilter,
    options?: CallOptions,
  ): Promise<Ec2SpotRequest[]> {
    const requests: Ec2SpotRequest[] = [];
    const pages = this.pages(region, 'DescribeSpotInstanceRequests', options, (client, NextToken, o) =>
      client.send(
        new DescribeSpotInstanceRequestsCommand({
          Filters: filtersOf(filter, 'state'),
          MaxResults: 1000,
          NextToken,
        }),
        o,
      ),
    );
    for await (const page of pages) {
      for (const request of page.SpotInstanceRequests ?? []) requests.push(toSpotRequest(region, request));
    }
    return requests;
  }

  async runInstance(request: LaunchRequest, options?: CallOptions): Promise<LaunchResult> {
    const out = await this.call(
      request.region,
      'RunInstances',
      (c, o) => c.send(new RunInstancesCommand(toRunInstancesInput(request)), o),
      options,
    );
    const instance = out.Instances?.[0];
    if (!instance?.InstanceId) {
      throw classifyEc2Error(new Error('RunInstances returned no instance'), request.region, 'RunInstances');
    }
    const mapped = toInstance(request.region, instance);
    return {
      instanceId: mapped.instanceId,
      zone: mapped.zone,
      state: mapped.state,
      ...(mapped.spotRequestId ? { spotRequestId: mapped.spotRequestId } : {}),
    };
  }

  async terminateInstances(
    region: string,
    instanceIds: readonly string[],
    options?: CallOptions,
  ): Promise<void> {
    await sendSkippingGone(instanceIds, (ids) =>
      this.call(
        region,
        'TerminateInstances',
        (c, o) => c.send(new TerminateInstancesCommand({ InstanceIds: ids }), o),
        options,
      ),
    );
  }

  async cancelSpotRequests(
    region: string,
    spotRequestIds: readonly string[],
    options?: CallOptions,
  ): Promise<void> {
    await sendSkippingGone(spotRequestIds, (ids) =>
      this.call(
        region,
        'CancelSpotInstanceRequests',
        (c, o) => c.send(new CancelSpotInstanceRequestsCommand({ SpotInstanceRequestIds: ids }), o),
        options,
      ),
    );
  }

  /** Every page of a paginated describe call, each page one call (with its budget and retries). */
  private async *pages<Page extends { NextToken?: string | undefined }>(
    region: string,
    action: string,
    options: CallOptions | undefined,
    send: (client: EC2Client, nextToken: string | undefined, o: SendOptions) => Promise<Page>,
  ): AsyncGenerator<Page> {
    let token: string | undefined;
    do {
      const page = await this.call(region, action, (client, o) => send(client, token, o), options);
      yield page;
      token = page.NextToken || undefined;
    } while (token);
  }

  private call<T>(
    region: string,
    action: string,
    send: (client: EC2Client, options: SendOptions) => Promise<T>,
    options?: CallOptions,
  ): Promise<T> {
    return this.caller.call(region, action, send, options?.signal);
  }

  /** Closes every region's HTTP connections. */
  destroy(): void {
    this.caller.destroy();
  }
}

function filtersOf(filter: TagFilter, stateFilterName: string): Filter[] {
  const filters: Filter[] = Object.entries(filter.tags).map(([key, value]) => ({
    Name: `tag:${key}`,
    Values: [value],
  }));
  if (filter.states) filters.push({ Name: stateFilterName, Values: [...filter.states] });
  return filters;
}
