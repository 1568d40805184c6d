import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DescribeInstancesCommand, EC2Client, type Instance } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealClock } from '../../src/clock/clock.js';
import { toInstance } from '../../src/ec2/ec2-mapping.js';
import { useLeanDescribeInstances } from '../../src/ec2/lean-describe-instances.js';
import { parseDescribeInstances } from '../../src/ec2/parse-describe-instances.js';
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

  it('reads a fleet that changed since its last describe as the SDK does (unchanged instances from its memo)', async () => {
    const lean = client(true);
    const sweep = async (c: EC2Client) => {
      const instances: Instance[] = [];
      let NextToken: string | undefined;
      do {
        const out = await c.send(new DescribeInstancesCommand({ MaxResults: 5, NextToken }));
        for (const r of out.Reservations ?? []) instances.push(...(r.Instances ?? []));
        NextToken = out.NextToken || undefined;
      } while (NextToken);
      return instances;
    };
    const before = await sweep(lean);
    const running = before.find((i) => i.State?.Name === 'pending' || i.State?.Name === 'running');
    world.launches.terminateInstances('us-west-2', [running?.InstanceId ?? '']);
    const after = await sweep(lean);
    const sdk = client(false);
    expect(after.map((i) => toInstance('us-west-2', i))).toEqual(
      (await sweep(sdk)).map((i) => toInstance('us-west-2', i)),
    );
    lean.destroy();
    sdk.destroy();
    const changed = after.find((i) => i.InstanceId === running?.InstanceId);
    expect(changed?.State?.Name).not.toBe(running?.State?.Name);
    // Every other instance is the very object the first describe read: taken from the memo, not read again.
    expect(after.filter((i) => before.includes(i))).toHaveLength(before.length - 1);
  });

  it('leaves errors to the SDK', async () => {
    const error = await client(true)
      .send(new DescribeInstancesCommand({ InstanceIds: ['i-0000000000000dead'] }))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'InvalidInstanceID.NotFound', $metadata: { httpStatusCode: 400 } });
  });

  /** What the SDK (its own deserialiser, or with the lean reader) makes of a page it is handed as is. */
  async function mapPage(xml: string, lean: boolean) {
    const c = new EC2Client({
      region: 'us-west-2',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
      requestHandler: {
        handle: async () => ({
          response: { statusCode: 200, headers: {}, body: Readable.from([Buffer.from(xml)]) },
        }),
      } as unknown as EC2Client['config']['requestHandler'],
    });
    if (lean) useLeanDescribeInstances(c);
    const out = await c.send(new DescribeInstancesCommand({}));
    c.destroy();
    return {
      instances: (out.Reservations ?? []).flatMap((r) =>
        (r.Instances ?? []).map((i) => toInstance('us-west-2', i)),
      ),
      nextToken: out.NextToken,
    };
  }

  it('reads what the SDK reads from pages EC2 could send but the simulator does not write', async () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <!-- a comment with <instanceId>i-comment</instanceId> in it -->
  <requestId>r-1</requestId>
  <reservationSet>
    <item><reservationId>r-a</reservationId><instancesSet>
      <item>
        <instanceId> i-1 </instanceId><reason/><imageId>ami-1</imageId>
        <instanceState><code>16</code><name>running</name></instanceState>
        <groupSet><item><groupName>sg</groupName><name>not-a-state</name></item></groupSet>
        <networkInterfaceSet><item><instanceId>i-not-me</instanceId>
          <tagSet><item><key>x</key><value>y</value></item></tagSet></item></networkInterfaceSet>
        <tagSet><item><key>a&amp;b</key><value>&#x2713;&lt;&#60;</value></item><item><key>Empty</key><value/></item></tagSet>
        <placement><availabilityZone>us-west-2a</availabilityZone><groupName/></placement>
        <stateReason><code>Server.SpotInstanceTermination</code><message>gone</message></stateReason>
        <launchTime>2026-11-23T01:02:03.000Z</launchTime><instanceLifecycle>spot</instanceLifecycle>
      </item>
    </instancesSet></item>
    <item><reservationId>r-b</reservationId><instancesSet><item><instanceId>i-2</instanceId>
      <reason>User initiated (2026-11-23 01:00:00 GMT)</reason><clientToken>t&quot;2</clientToken>
    </item></instancesSet></item>
  </reservationSet>
  <nextToken>next&amp;1</nextToken>
</DescribeInstancesResponse>`;
    const sdk = await mapPage(xml, false);
    // The SDK keeps the spaces around a value; so must the lean reader.
    expect(sdk.instances.map((i) => i.instanceId)).toEqual([' i-1 ', 'i-2']);
    expect(await mapPage(xml, true)).toEqual(sdk);
    expect(sdk.instances[0]?.tags).toEqual({ 'a&b': '✓<<', Empty: '' });
    expect(sdk.nextToken).toBe('next&1');
  });

  it('reads an empty page', async () => {
    const xml =
      '<DescribeInstancesResponse><requestId>r</requestId><reservationSet/></DescribeInstancesResponse>';
    expect(parseDescribeInstances(Buffer.from(xml))).toEqual({ Reservations: [{ Instances: [] }] });
    expect(await mapPage(xml, true)).toEqual(await mapPage(xml, false));
  });

  it('keeps no page alive (the loop keeps instances until the next iteration)', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const item = (n: number) =>
      `<item><instanceId>i-${String(n).padStart(17, '0')}</instanceId><clientToken>token-${'t'.repeat(30)}-${n}</clientToken>` +
      `<tagSet><item><key>WorkerType</key><value>provisioner/worker-type-${n}</value></item></tagSet>` +
      `<unread>${'x'.repeat(10_000)}</unread></item>`;
    let page: Buffer | undefined = Buffer.from(
      '<DescribeInstancesResponse><reservationSet><item><instancesSet>' +
        Array.from({ length: 2000 }, (_, n) => item(n)).join('') +
        '</instancesSet></item></reservationSet></DescribeInstancesResponse>',
    );
    // The page's own memory: any view of it that is kept (a subarray, say) keeps this alive.
    const bytes = new WeakRef(page.buffer);
    const kept = parseDescribeInstances(page);
    page = undefined;
    // A WeakRef's target lives until the job that made it ends.
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(bytes.deref()).toBeUndefined();
    expect(kept.Reservations[0]?.Instances?.[1999]).toMatchObject({
      InstanceId: 'i-00000000000001999',
      Tags: [{ Key: 'WorkerType', Value: 'provisioner/worker-type-1999' }],
    });
  });

  it('gives concurrent calls each its own page when the client caches its middleware (as the gateway does)', async () => {
    // Each request asks for one instance id and gets a page with just that instance.
    const page = (id: string) =>
      `<DescribeInstancesResponse><reservationSet><item><instancesSet><item><instanceId>${id}</instanceId></item></instancesSet></item></reservationSet></DescribeInstancesResponse>`;
    const c = new EC2Client({
      region: 'us-west-2',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
      cacheMiddleware: true,
      requestHandler: {
        handle: async (request: { body: string }) => {
          const id = new URLSearchParams(request.body).get('InstanceId.1') ?? '';
          return { response: { statusCode: 200, headers: {}, body: Readable.from([Buffer.from(page(id))]) } };
        },
      } as unknown as EC2Client['config']['requestHandler'],
    });
    useLeanDescribeInstances(c);
    const ids = Array.from({ length: 20 }, (_, i) => `i-${String(i).padStart(17, '0')}`);
    const outs = await Promise.all(
      ids.map((id) => c.send(new DescribeInstancesCommand({ InstanceIds: [id] }))),
    );
    c.destroy();
    expect(
      outs.map((out) => out.Reservations?.flatMap((r) => r.Instances?.map((i) => i.InstanceId))),
    ).toEqual(ids.map((id) => [id]));
  });
});
