import {
  CancelSpotInstanceRequestsCommand,
  DescribeInstancesCommand,
  DescribeSpotInstanceRequestsCommand,
  DescribeSpotPriceHistoryCommand,
  type Instance,
  paginateDescribeSpotPriceHistory,
  RequestSpotInstancesCommand,
  RunInstancesCommand,
  type RunInstancesCommandInput,
} from '@aws-sdk/client-ec2';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultImageId } from '../../../src/simulator/ec2/scenario.js';
import type { InstanceHookEvent } from '../../../src/simulator/ec2/world-context.js';
import { errorCodeOf, type SimulatedEc2, startSimulatedEc2 } from './simulated-ec2.js';

const IMAGE = defaultImageId('us-east-1');

function spotLaunch(
  overrides: Partial<RunInstancesCommandInput> = {},
  maxPrice?: string,
): RunInstancesCommand {
  return new RunInstancesCommand({
    ImageId: IMAGE,
    InstanceType: 'c5.large',
    MinCount: 1,
    MaxCount: 1,
    InstanceMarketOptions: {
      MarketType: 'spot',
      SpotOptions: {
        SpotInstanceType: 'one-time',
        ...(maxPrice === undefined ? {} : { MaxPrice: maxPrice }),
      },
    },
    ...overrides,
  });
}

async function control(sim: SimulatedEc2, method: string, path: string, body?: unknown) {
  const response = await fetch(`${sim.server.url}/simulator/v1/ec2/${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function instanceOf(sim: SimulatedEc2, id: string): Promise<Instance | undefined> {
  const result = await sim.client().send(new DescribeInstancesCommand({ InstanceIds: [id] }));
  return result.Reservations?.[0]?.Instances?.[0];
}

describe('simulated EC2: spot', () => {
  let sim: SimulatedEc2;
  afterEach(async () => {
    await sim.close();
  });

  it('launches spot through RunInstances with a fulfilled spot request carrying its own tags', async () => {
    sim = await startSimulatedEc2();
    const ec2 = sim.client();
    const run = await ec2.send(
      spotLaunch({
        TagSpecifications: [
          { ResourceType: 'spot-instances-request', Tags: [{ Key: 'Owner', Value: 'prov' }] },
        ],
      }),
    );
    const instance = run.Instances?.[0] as Instance;
    expect(instance.InstanceLifecycle).toBe('spot');
    const requests = await ec2.send(
      new DescribeSpotInstanceRequestsCommand({
        SpotInstanceRequestIds: [instance.SpotInstanceRequestId as string],
      }),
    );
    expect(requests.SpotInstanceRequests?.[0]).toMatchObject({
      State: 'active',
      Status: { Code: 'fulfilled' },
      InstanceId: instance.InstanceId,
      Type: 'one-time',
      Tags: [{ Key: 'Owner', Value: 'prov' }],
      LaunchedAvailabilityZone: instance.Placement?.AvailabilityZone,
    });
  });

  it('fails spot launches with SpotMaxPriceTooLow, InsufficientInstanceCapacity and MaxSpotInstanceCountExceeded', async () => {
    sim = await startSimulatedEc2({ limits: { maxSpotInstancesPerRegion: 2 } });
    const ec2 = sim.client();
    expect(await errorCodeOf(ec2.send(spotLaunch({}, '0.0001')))).toBe('SpotMaxPriceTooLow');

    const exhausted = await control(sim, 'POST', 'faults/pool-exhausted', {
      region: 'us-east-1',
      instanceType: 'c5.large',
    });
    expect(exhausted.status).toBe(200);
    expect(await errorCodeOf(ec2.send(spotLaunch()))).toBe('InsufficientInstanceCapacity');
    await control(sim, 'DELETE', `faults/${(exhausted.body.fault as { id: number }).id}`);

    await ec2.send(spotLaunch({ MinCount: 2, MaxCount: 2 }));
    expect(await errorCodeOf(ec2.send(spotLaunch()))).toBe('MaxSpotInstanceCountExceeded');
  });

  it('fulfils, leaves open and cancels RequestSpotInstances requests', async () => {
    sim = await startSimulatedEc2({ delays: { spotEvaluation: { minMs: 5_000, maxMs: 5_000 } } });
    const ec2 = sim.client();
    const spec = { ImageId: IMAGE, InstanceType: 'c5.large' as const };
    const cheap = await ec2.send(
      new RequestSpotInstancesCommand({ LaunchSpecification: spec, SpotPrice: '0.0001' }),
    );
    const fair = await ec2.send(
      new RequestSpotInstancesCommand({ LaunchSpecification: spec, InstanceCount: 2 }),
    );
    const cheapId = cheap.SpotInstanceRequests?.[0]?.SpotInstanceRequestId as string;
    const fairIds = (fair.SpotInstanceRequests ?? []).map(
      (request) => request.SpotInstanceRequestId as string,
    );
    expect(fair.SpotInstanceRequests?.map((r) => [r.State, r.Status?.Code])).toEqual([
      ['open', 'pending-evaluation'],
      ['open', 'pending-evaluation'],
    ]);

    await sim.clock.advanceBy(5_000);
    const described = await ec2.send(new DescribeSpotInstanceRequestsCommand({}));
    const byId = new Map(described.SpotInstanceRequests?.map((r) => [r.SpotInstanceRequestId, r]));
    expect([byId.get(cheapId)?.State, byId.get(cheapId)?.Status?.Code]).toEqual(['open', 'price-too-low']);
    const fulfilled = fairIds.map((id) => byId.get(id));
    expect(fulfilled.map((r) => [r?.State, r?.Status?.Code])).toEqual([
      ['active', 'fulfilled'],
      ['active', 'fulfilled'],
    ]);
    const instanceId = fulfilled[0]?.InstanceId as string;
    expect((await instanceOf(sim, instanceId))?.SpotInstanceRequestId).toBe(fairIds[0]);

    const cancelled = await ec2.send(
      new CancelSpotInstanceRequestsCommand({ SpotInstanceRequestIds: [cheapId, fairIds[0] as string] }),
    );
    expect(cancelled.CancelledSpotInstanceRequests?.map((r) => r.State)).toEqual(['cancelled', 'cancelled']);
    const after = await ec2.send(
      new DescribeSpotInstanceRequestsCommand({ SpotInstanceRequestIds: [cheapId, fairIds[0] as string] }),
    );
    expect(after.SpotInstanceRequests?.map((r) => r.Status?.Code)).toEqual([
      'canceled-before-fulfillment',
      'request-canceled-and-instance-running',
    ]);
    expect((await instanceOf(sim, instanceId))?.State?.Name).not.toBe('shutting-down');
    expect(
      await errorCodeOf(
        ec2.send(new DescribeSpotInstanceRequestsCommand({ SpotInstanceRequestIds: ['sir-00000000'] })),
      ),
    ).toBe('InvalidSpotInstanceRequestID.NotFound');
    const open = await ec2.send(
      new DescribeSpotInstanceRequestsCommand({ Filters: [{ Name: 'state', Values: ['open'] }] }),
    );
    expect(open.SpotInstanceRequests).toEqual([]);
  });

  it('forgets a RequestSpotInstances client token once its requests have vanished', async () => {
    sim = await startSimulatedEc2({ delays: { closedRequestRetentionMs: 60_000 } });
    const ec2 = sim.client();
    const spec = { ImageId: IMAGE, InstanceType: 'c5.large' as const };
    const input = { LaunchSpecification: spec, SpotPrice: '0.0001', ClientToken: 'spot-token' };
    const first = await ec2.send(new RequestSpotInstancesCommand(input));
    const id = first.SpotInstanceRequests?.[0]?.SpotInstanceRequestId as string;
    await ec2.send(new CancelSpotInstanceRequestsCommand({ SpotInstanceRequestIds: [id] }));
    const again = await ec2.send(new RequestSpotInstancesCommand(input));
    expect(again.SpotInstanceRequests?.[0]?.SpotInstanceRequestId).toBe(id);
    const region = sim.world.region('us-east-1');
    expect(region.spotTokens.size).toBe(1);
    await sim.clock.advanceBy(120_000);
    expect(region.spotTokens.size).toBe(0);
  });

  it('keeps new spot requests invisible for a while', async () => {
    sim = await startSimulatedEc2({ delays: { spotRequestVisibility: { minMs: 3_000, maxMs: 3_000 } } });
    const ec2 = sim.client();
    const created = await ec2.send(
      new RequestSpotInstancesCommand({ LaunchSpecification: { ImageId: IMAGE, InstanceType: 'c5.large' } }),
    );
    const id = created.SpotInstanceRequests?.[0]?.SpotInstanceRequestId as string;
    const byId = () => ec2.send(new DescribeSpotInstanceRequestsCommand({ SpotInstanceRequestIds: [id] }));
    expect(await errorCodeOf(byId())).toBe('InvalidSpotInstanceRequestID.NotFound');
    expect((await ec2.send(new DescribeSpotInstanceRequestsCommand({}))).SpotInstanceRequests).toEqual([]);
    await sim.clock.advanceBy(3_000);
    expect((await byId()).SpotInstanceRequests?.map((request) => request.SpotInstanceRequestId)).toEqual([
      id,
    ]);
  });

  it('interrupts spot instances at the advisor rate with a two-minute warning', async () => {
    sim = await startSimulatedEc2({
      interruptions: { multiplier: 50_000 },
      delays: { terminatedRetentionMs: 24 * 3600_000, closedRequestRetentionMs: 24 * 3600_000 },
    });
    const events: InstanceHookEvent[] = [];
    sim.world.onInstanceEvent((event) => events.push(event));
    const run = await sim.client().send(spotLaunch({ MinCount: 5, MaxCount: 5 }));
    const onDemand = await sim
      .client()
      .send(new RunInstancesCommand({ ImageId: IMAGE, InstanceType: 'c5.large', MinCount: 1, MaxCount: 1 }));
    await sim.clock.advanceBy(2 * 3600_000);

    const ids = run.Instances?.map((i) => i.InstanceId as string) ?? [];
    const warned = events.filter((e) => e.type === 'interruption-warning');
    expect(warned.length).toBeGreaterThan(0);
    for (const warning of warned) {
      const shutting = events.find(
        (e) => e.type === 'shutting-down' && e.instance.instanceId === warning.instance.instanceId,
      );
      expect(shutting?.type === 'shutting-down' && shutting.reason.code).toBe(
        'Server.SpotInstanceTermination',
      );
      expect(warning.type === 'interruption-warning' && warning.terminateAt).toBeLessThanOrEqual(
        sim.world.events
          .list({ type: 'instance-shutting-down' })
          .find((e) => e.instanceId === warning.instance.instanceId)?.time ?? 0,
      );
    }
    const interrupted = ids.filter((id) => warned.some((w) => w.instance.instanceId === id));
    const described = await instanceOf(sim, interrupted[0] as string);
    expect(described?.StateReason?.Code).toBe('Server.SpotInstanceTermination');
    const request = await sim.client().send(
      new DescribeSpotInstanceRequestsCommand({
        SpotInstanceRequestIds: [described?.SpotInstanceRequestId as string],
      }),
    );
    expect(request.SpotInstanceRequests?.[0]).toMatchObject({
      State: 'closed',
      Status: { Code: 'instance-terminated-no-capacity' },
    });
    expect((await instanceOf(sim, onDemand.Instances?.[0]?.InstanceId as string))?.State?.Name).toBe(
      'running',
    );
  });

  it('interrupts a region with an interruption wave and spot price spikes through the control API', async () => {
    sim = await startSimulatedEc2();
    const ec2 = sim.client();
    const waved = await ec2.send(spotLaunch({ MinCount: 3, MaxCount: 3, InstanceType: 'm5.large' }));
    const wave = await control(sim, 'POST', 'faults/interruption-wave', {
      region: 'us-east-1',
      instanceType: 'm5.large',
    });
    expect((wave.body.fault as { instanceIds: string[] }).instanceIds.sort()).toEqual(
      waved.Instances?.map((i) => i.InstanceId).sort(),
    );

    const zone = 'us-east-1a';
    const placed = { Placement: { AvailabilityZone: zone } };
    const before = Number(
      (await control(sim, 'GET', `spot-price?region=us-east-1&zone=${zone}&instanceType=c5.large`)).body
        .price,
    );
    const cappedAtTwice = await ec2.send(spotLaunch(placed, (before * 2).toFixed(6)));
    const spike = await control(sim, 'POST', 'faults/price-spike', {
      region: 'us-east-1',
      zone,
      instanceType: 'c5.large',
      multiplier: 3,
      durationMs: 3600_000,
    });
    expect(spike.status).toBe(200);
    expect(await errorCodeOf(ec2.send(spotLaunch(placed, (before * 2).toFixed(6))))).toBe(
      'SpotMaxPriceTooLow',
    );
    const history = await ec2.send(
      new DescribeSpotPriceHistoryCommand({
        InstanceTypes: ['c5.large'],
        AvailabilityZone: zone,
        StartTime: new Date(sim.clock.now()),
      }),
    );
    expect(Number(history.SpotPriceHistory?.[0]?.SpotPrice)).toBeCloseTo(before * 3, 3);

    await sim.clock.advanceBy(120_000);
    const spiked = await instanceOf(sim, cappedAtTwice.Instances?.[0]?.InstanceId as string);
    expect(spiked?.State?.Name).toBe('shutting-down');
    const request = await ec2.send(
      new DescribeSpotInstanceRequestsCommand({
        SpotInstanceRequestIds: [spiked?.SpotInstanceRequestId as string],
      }),
    );
    expect(request.SpotInstanceRequests?.[0]?.Status?.Code).toBe('instance-terminated-by-price');
    const wavedNow = await instanceOf(sim, waved.Instances?.[0]?.InstanceId as string);
    expect(wavedNow?.StateReason?.Code).toBe('Server.SpotInstanceTermination');

    await sim.clock.advanceBy(3600_000);
    await expect(ec2.send(spotLaunch(placed, (before * 2).toFixed(6)))).resolves.toBeDefined();
  });

  it('serves a moving spot price history, newest first, in pages', async () => {
    sim = await startSimulatedEc2();
    const ec2 = sim.client('us-west-2');
    await sim.clock.advanceBy(48 * 3600_000);
    const since = new Date(sim.clock.now() - 48 * 3600_000);
    const points: Array<{ zone: string; type: string; price: number; time: number }> = [];
    let pages = 0;
    for await (const page of paginateDescribeSpotPriceHistory(
      { client: ec2 },
      { InstanceTypes: ['c5.large', 'm5.large'], StartTime: since, MaxResults: 20 },
    )) {
      pages++;
      for (const point of page.SpotPriceHistory ?? []) {
        points.push({
          zone: point.AvailabilityZone as string,
          type: point.InstanceType as string,
          price: Number(point.SpotPrice),
          time: point.Timestamp?.getTime() ?? 0,
        });
      }
    }
    expect(pages).toBeGreaterThan(1);
    const times = points.map((point) => point.time);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const series = points.filter((point) => point.zone === 'us-west-2a' && point.type === 'c5.large');
    expect(new Set(series.map((point) => point.price)).size).toBeGreaterThan(1);
    const onDemand = sim.world.catalog.onDemandPrice('us-west-2', 'c5.large') as number;
    for (const point of points.filter((p) => p.type === 'c5.large'))
      expect(point.price).toBeLessThanOrEqual(onDemand);

    const oneZone = await ec2.send(
      new DescribeSpotPriceHistoryCommand({
        InstanceTypes: ['c5.large'],
        Filters: [{ Name: 'availability-zone', Values: ['us-west-2b'] }],
      }),
    );
    expect(oneZone.SpotPriceHistory?.map((point) => point.AvailabilityZone)).toEqual(['us-west-2b']);
  });
});
