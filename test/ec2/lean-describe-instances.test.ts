import { DescribeInstancesCommand, EC2Client, type Instance } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealClock } from '../../src/clock/clock.js';
import { toInstance } from '../../src/ec2/ec2-mapping.js';
import { parseDescribeInstances, useLeanDescribeInstances } from '../../src/ec2/lean-describe-instances.js';
import {
  createEc2HttpHandler,
  type RunningSimulator,
  serveSimulator,
} from '../../src/simulator/ec2/ec2-http-handler.js';
import { Ec2World } from '../../src/simulator/ec2/ec2-world.js';
import { defaultImageId } from '../../src/simulator/ec2/scenario.js';

describe('the lean DescribeInstances reader', () => {
  let world: Ec2World;
  let simulator: RunningSimulator;
  let leanReads: number[] = [];
  const client = (lean: boolean) => {
    const c = new EC2Client({
      region: 'us-west-2',
      endpoint: simulator.url,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    if (lean) useLeanDescribeInstances(c, (count) => leanReads.push(count));
    return c;
  };

  beforeAll(async () => {
    world = new Ec2World({
      clock: new RealClock(),
      scenario: {
        regions: ['us-west-2'],
        throttle: { enabled: false },
        delays: { instanceVisibility: { minMs: 0, maxMs: 0 } },
      },
    });
    simulator = await serveSimulator([createEc2HttpHandler(world)]);
    const launch = (
      market: 'spot' | 'on-demand',
      instanceTags: Record<string, string>,
      clientToken: string,
    ) =>
      world.launches.runInstances('us-west-2', {
        spec: {
          imageId: defaultImageId('us-west-2'),
          instanceType: market === 'spot' ? 'c5.large' : 'm5.large',
        },
        minCount: 3,
        maxCount: 3,
        market,
        clientToken,
        instanceTags,
      });
    launch('spot', { Owner: 'lean', WorkerType: 'lean/a&b<c>"d"', Name: 'ünïcode ✓' }, 'token-1');
    launch('on-demand', { Owner: 'lean', Empty: '' }, 'token-2');
    const [gone] = world.listInstances();
    world.launches.terminateInstances('us-west-2', [gone?.instanceId ?? '']);
  });
  afterAll(() => simulator.close());

  async function describeAll(lean: boolean, maxResults?: number) {
    const c = client(lean);
    const instances: Instance[] = [];
    let NextToken: string | undefined;
    let pages = 0;
    do {
      const out = await c.send(
        new DescribeInstancesCommand({ ...(maxResults ? { MaxResults: maxResults } : {}), NextToken }),
      );
      for (const r of out.Reservations ?? []) instances.push(...(r.Instances ?? []));
      NextToken = out.NextToken || undefined;
      pages++;
    } while (NextToken);
    c.destroy();
    return { mapped: instances.map((i) => toInstance('us-west-2', i)), pages };
  }

  it('maps to exactly what the SDK maps, tags, entities, reasons and pagination included', async () => {
    leanReads = [];
    const sdk = await describeAll(false, 5);
    expect(leanReads).toEqual([]);
    const lean = await describeAll(true, 5);
    expect(leanReads).toEqual([5, 1]);
    expect(sdk.mapped).toHaveLength(6);
    expect(sdk.pages).toBeGreaterThan(1);
    expect(lean).toEqual(sdk);
    const tagged = lean.mapped.find((i) => i.market === 'spot');
    expect(tagged?.tags).toEqual({ Owner: 'lean', WorkerType: 'lean/a&b<c>"d"', Name: 'ünïcode ✓' });
    expect(lean.mapped.some((i) => i.stateReason !== undefined)).toBe(true);
  });

  it('leaves errors to the SDK', async () => {
    const error = await client(true)
      .send(new DescribeInstancesCommand({ InstanceIds: ['i-0000000000000dead'] }))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'InvalidInstanceID.NotFound', $metadata: { httpStatusCode: 400 } });
  });

  it('reads a hand-written page, decoding entities and ignoring nested items', () => {
    const xml = `<DescribeInstancesResponse><reservationSet><item><instancesSet><item>
      <instanceId>i-1</instanceId><instanceState><code>16</code><name>running</name></instanceState>
      <groupSet><item><groupName>sg</groupName></item></groupSet>
      <networkInterfaceSet><item><instanceId>i-not-me</instanceId><tagSet><item><key>x</key><value>y</value></item></tagSet></item></networkInterfaceSet>
      <tagSet><item><key>a&amp;b</key><value>&#x2713;&lt;</value></item></tagSet>
      <placement><availabilityZone>us-west-2a</availabilityZone></placement></item></instancesSet></item></reservationSet>
      <nextToken>next&amp;1</nextToken></DescribeInstancesResponse>`;
    expect(parseDescribeInstances(xml)).toEqual({
      Reservations: [
        {
          Instances: [
            {
              InstanceId: 'i-1',
              State: { Name: 'running' },
              Tags: [{ Key: 'a&b', Value: '✓<' }],
              Placement: { AvailabilityZone: 'us-west-2a' },
            },
          ],
        },
      ],
      NextToken: 'next&1',
    });
  });
});
