import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealClock } from '../../src/clock/clock.js';
import { type Ec2CallEvent, Ec2Gateway } from '../../src/ec2/ec2-gateway.js';
import { transitionTime } from '../../src/ec2/ec2-mapping.js';
import { Ec2Error, type LaunchRequest } from '../../src/ec2/ec2-port.js';
import {
  createEc2HttpHandler,
  type RunningSimulator,
  serveSimulator,
} from '../../src/simulator/ec2/ec2-http-handler.js';
import { Ec2World } from '../../src/simulator/ec2/ec2-world.js';
import { defaultImageId } from '../../src/simulator/ec2/scenario.js';

const REGIONS = ['us-west-2', 'us-east-1'];
const TAGS = { Name: 'wt', Owner: 'gateway-test', WorkerType: 'gateway-test/wt' };

describe('Ec2Gateway against the EC2 simulator (real AWS SDK over HTTP)', () => {
  let world: Ec2World;
  let simulator: RunningSimulator;
  let gateway: Ec2Gateway;
  const calls: Ec2CallEvent[] = [];
  let counter = 0;

  const gatewayWith = (options: Partial<ConstructorParameters<typeof Ec2Gateway>[0]> = {}) =>
    new Ec2Gateway({
      regions: REGIONS,
      clock: new RealClock(),
      endpoint: simulator.url,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      baseDelayMs: 5,
      maxDelayMs: 50,
      onCall: (event) => calls.push(event),
      ...options,
    });

  const launch = (overrides: Partial<LaunchRequest> = {}): LaunchRequest => ({
    region: 'us-west-2',
    clientToken: `token-${++counter}-${Date.now()}`,
    launchSpec: {
      ImageId: defaultImageId('us-west-2'),
      InstanceType: 'c5.large',
      KeyName: 'test-key',
      UserData: Buffer.from('{}').toString('base64'),
      Placement: { AvailabilityZone: 'us-west-2a' },
      MonitoringEnabled: true,
      AddressingType: 'public',
    },
    market: 'spot',
    maxPrice: 5,
    tags: TAGS,
    ...overrides,
  });

  beforeAll(async () => {
    world = new Ec2World({
      clock: new RealClock(),
      scenario: {
        regions: REGIONS,
        throttle: { enabled: false },
        delays: {
          instanceVisibility: { minMs: 0, maxMs: 0 },
          spotRequestVisibility: { minMs: 0, maxMs: 0 },
          boot: { minMs: 60_000 },
        },
      },
    });
    simulator = await serveSimulator([createEc2HttpHandler(world)]);
    gateway = gatewayWith();
    await gateway.ensureKeyPair('us-west-2', 'test-key', undefined);
  });
  afterAll(async () => {
    gateway.destroy();
    await simulator.close();
  });

  it('launches with RunInstances (spot options, tags, translated launch spec) and describes by tag', async () => {
    const request = launch();
    const result = await gateway.runInstance(request);
    expect(result).toMatchObject({ zone: 'us-west-2a', state: 'pending' });
    const again = await gateway.runInstance(request);
    expect(again.instanceId).toBe(result.instanceId);
    const [described] = (await gateway.describeInstances('us-west-2', { tags: TAGS })).filter(
      (i) => i.instanceId === result.instanceId,
    );
    expect(described).toMatchObject({
      market: 'spot',
      instanceType: 'c5.large',
      tags: TAGS,
      clientToken: request.clientToken,
    });
    expect(described?.launchTime).toBeGreaterThan(0);
  });

  it('maps an instance again only when EC2 describes it differently', async () => {
    const tags = { ...TAGS, Name: 'mapped-once' };
    const [kept, changed] = await Promise.all([
      gateway.runInstance(launch({ tags })),
      gateway.runInstance(launch({ tags })),
    ]);
    const first = await gateway.describeInstances('us-west-2', { tags });
    await gateway.terminateInstances('us-west-2', [changed.instanceId]);
    const second = await gateway.describeInstances('us-west-2', { tags });
    const byId = (list: typeof first, id: string) => list.find((i) => i.instanceId === id);
    expect(byId(second, kept.instanceId)).toBe(byId(first, kept.instanceId));
    expect(byId(second, changed.instanceId)).not.toBe(byId(first, changed.instanceId));
    expect(byId(second, changed.instanceId)?.state).toBe('shutting-down');
    const fresh = gatewayWith();
    expect(second).toEqual(await fresh.describeInstances('us-west-2', { tags }));
    fresh.destroy();
  });

  it('tags the spot request a spot launch creates, so describing by tag finds it', async () => {
    const { instanceId, spotRequestId } = await gateway.runInstance(launch());
    expect(spotRequestId).toMatch(/^sir-/);
    const requests = await gateway.describeSpotRequests('us-west-2', {
      tags: TAGS,
      states: ['open', 'active'],
    });
    expect(requests.find((r) => r.spotRequestId === spotRequestId)).toMatchObject({ tags: TAGS, instanceId });
  });

  it('classifies EC2 errors once: capacity, price, not found, invalid request', async () => {
    const kindOf = async (promise: Promise<unknown>) =>
      ((await promise.catch((e: unknown) => e)) as Ec2Error).kind;
    const fault = world.faults.exhaustPool({
      region: 'us-west-2',
      zone: 'us-west-2b',
      instanceType: 'c5.large',
    });
    const exhausted = launch({
      launchSpec: { ...launch().launchSpec, Placement: { AvailabilityZone: 'us-west-2b' } },
    });
    const capacityError = await gateway.runInstance(exhausted).catch((e: unknown) => e);
    world.faults.clear(fault.id);
    expect(capacityError).toBeInstanceOf(Ec2Error);
    expect(capacityError).toMatchObject({
      kind: 'insufficient-capacity',
      awsCode: 'InsufficientInstanceCapacity',
    });
    expect(await kindOf(gateway.runInstance(launch({ maxPrice: 0.000001 })))).toBe('price-too-low');
    expect(
      await kindOf(
        gateway.runInstance(
          launch({ launchSpec: { ...launch().launchSpec, ImageId: 'ami-00000000000000000' } }),
        ),
      ),
    ).toBe('not-found');
    expect(
      await kindOf(
        gateway.runInstance(launch({ launchSpec: { ...launch().launchSpec, InstanceType: 'no.such' } })),
      ),
    ).toBe('invalid-request');
  });

  it('retries throttling and 5xx with back-off, then succeeds', async () => {
    calls.length = 0;
    // Two attempts are throttled, then one fails with a 500, then the region recovers. Each fault ends on
    // an attempt, not after a span of real time, so a slow machine sees the same attempts as a fast one.
    const storm = world.faults.throttlingStorm({ region: 'us-east-1', durationMs: 60_000, probability: 1 });
    let errors: ReturnType<Ec2World['faults']['serverErrors']> | undefined;
    const zones = await gatewayWith({
      maxAttempts: 12,
      random: () => 0.5,
      onCall: (event) => {
        calls.push(event);
        if (calls.length === 2) {
          world.faults.clear(storm.id);
          errors = world.faults.serverErrors({ region: 'us-east-1', durationMs: 60_000 });
        }
        if (calls.length === 3 && errors) world.faults.clear(errors.id);
      },
    }).describeAvailabilityZones('us-east-1');
    expect(zones.map((z) => z.zoneName)).toContain('us-east-1a');
    expect(calls.map((c) => [c.outcome, c.attempt])).toEqual([
      ['throttled', 1],
      ['throttled', 2],
      ['unavailable', 3],
      ['ok', 4],
    ]);
  });

  it('gives up after its attempts and reports the throttling', async () => {
    const fault = world.faults.throttlingStorm({ region: 'us-east-1', durationMs: 60_000, probability: 1 });
    const error = (await gatewayWith({ maxAttempts: 2 })
      .describeAvailabilityZones('us-east-1')
      .catch((e: unknown) => e)) as Ec2Error;
    world.faults.clear(fault.id);
    expect(error).toMatchObject({ kind: 'throttled', awsCode: 'RequestLimitExceeded', region: 'us-east-1' });
  });

  it('classifies a region that is down as unavailable', async () => {
    const fault = world.faults.regionDown({ region: 'us-east-1', mode: 'connection-reset' });
    const error = (await gatewayWith({ maxAttempts: 1 })
      .describeInstances('us-east-1', { tags: TAGS })
      .catch((e: unknown) => e)) as Ec2Error;
    world.faults.clear(fault.id);
    expect(error.kind).toBe('unavailable');
  });

  it('gives up on an endpoint that accepts the connection but never answers, as unavailable', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const hung = gatewayWith({ endpoint: `http://127.0.0.1:${port}`, maxAttempts: 2, requestTimeoutMs: 200 });
    const before = calls.length;
    try {
      const error = (await hung.describeAvailabilityZones('us-west-2').catch((e: unknown) => e)) as Ec2Error;
      expect(error).toMatchObject({ kind: 'unavailable', awsCode: 'TimeoutError' });
      // Each attempt timed out and counted as such; the second was the last.
      expect(calls.slice(before).map((c) => [c.outcome, c.attempt])).toEqual([
        ['unavailable', 1],
        ['unavailable', 2],
      ]);
    } finally {
      hung.destroy();
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('stops a call at once when its signal aborts: the HTTP request, then a back-off, neither retried', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    // A minute to answer and five attempts: only the signal can end these calls within the test.
    const hung = gatewayWith({ endpoint: `http://127.0.0.1:${port}`, requestTimeoutMs: 60_000 });
    const deadline = new Error('the iteration ran longer than 900000 ms');
    const waiting = new AbortController();
    const backingOff = gatewayWith({
      maxAttempts: 5,
      baseDelayMs: 60_000,
      maxDelayMs: 60_000,
      random: () => 1,
      // Aborted during the minute of back-off that follows the first failed attempt, whatever its speed.
      onCall: (event) => {
        calls.push(event);
        setTimeout(() => waiting.abort(deadline), 50);
      },
    });
    const before = calls.length;
    let fault: { id: number } | undefined;
    try {
      const inFlight = new AbortController();
      const described = hung.describeInstances('us-west-2', { tags: TAGS }, { signal: inFlight.signal });
      setTimeout(() => inFlight.abort(deadline), 100);
      await expect(described).rejects.toBe(deadline);
      expect(calls.slice(before)).toEqual([]);

      fault = world.faults.regionDown({ region: 'us-east-1' });
      const zones = backingOff.describeAvailabilityZones('us-east-1', { signal: waiting.signal });
      await expect(zones).rejects.toBe(deadline);
      // One failed attempt, then the abort ended its minute of back-off.
      expect(calls.slice(before).map((c) => [c.region, c.attempt])).toEqual([['us-east-1', 1]]);
    } finally {
      if (fault) world.faults.clear(fault.id);
      hung.destroy();
      backingOff.destroy();
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('terminates the instances it can, ignoring ones already gone, in one more call', async () => {
    const live = await Promise.all([gateway.runInstance(launch()), gateway.runInstance(launch())]);
    const ids = live.map((i) => i.instanceId);
    const before = calls.length;
    await gateway.terminateInstances('us-west-2', [
      'i-0000000000000dead',
      ids[0] as string,
      'i-0000000000000beef',
      ids[1] as string,
    ]);
    // EC2 names the gone ones: the batch is sent again without them, not id by id.
    expect(calls.slice(before).map((c) => [c.action, c.outcome])).toEqual([
      ['TerminateInstances', 'not-found'],
      ['TerminateInstances', 'ok'],
    ]);
    const after = (await gateway.describeInstances('us-west-2', { tags: TAGS })).filter((i) =>
      ids.includes(i.instanceId),
    );
    expect(after.map((i) => i.state)).toEqual([
      expect.stringMatching(/shutting-down|terminated/),
      expect.stringMatching(/shutting-down|terminated/),
    ]);
  });

  it('cancels the spot requests it can when EC2 names one gone id at a time', async () => {
    const request = await gateway.runInstance(launch());
    const [described] = (await gateway.describeSpotRequests('us-west-2', { tags: TAGS })).filter(
      (r) => r.instanceId === request.instanceId,
    );
    const id = described?.spotRequestId as string;
    const before = calls.length;
    await gateway.cancelSpotRequests('us-west-2', ['sir-gone0001', id, 'sir-gone0002']);
    expect(calls.slice(before).map((c) => c.outcome)).toEqual(['not-found', 'not-found', 'ok']);
    const [after] = (await gateway.describeSpotRequests('us-west-2', { tags: TAGS })).filter(
      (r) => r.spotRequestId === id,
    );
    expect(after?.state).toBe('cancelled');
  });

  it('ensures key pairs idempotently, and deletes missing ones without error', async () => {
    await gateway.ensureKeyPair('us-east-1', 'kp-twice', 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 comment');
    await gateway.ensureKeyPair('us-east-1', 'kp-twice', 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 comment');
    expect(world.region('us-east-1').keyPairs.get('kp-twice')).toBeDefined();
    await gateway.deleteKeyPair('us-east-1', 'kp-twice');
    await gateway.deleteKeyPair('us-east-1', 'kp-twice');
    expect(world.region('us-east-1').keyPairs.get('kp-twice')).toBeUndefined();
  });

  it('pages through prices, images and security groups', async () => {
    const prices = await gateway.describeSpotPrices('us-west-2', Date.now() - 3 * 3_600_000, [
      'c5.large',
      'm5.large',
    ]);
    expect(new Set(prices.map((p) => p.instanceType))).toEqual(new Set(['c5.large', 'm5.large']));
    expect(prices.every((p) => p.price > 0 && p.zone.startsWith('us-west-2'))).toBe(true);
    const images = await gateway.existingImages('us-west-2', [
      defaultImageId('us-west-2'),
      'ami-00000000000000001',
    ]);
    expect([...images]).toEqual([defaultImageId('us-west-2')]);
    expect([...(await gateway.existingSecurityGroups('us-west-2', ['default', 'nope']))]).toEqual([
      'default',
    ]);
  });

  it("reads the time of a transition from EC2's reason text", () => {
    expect(transitionTime('User initiated (2024-01-02 03:04:05 GMT)')).toBe(
      Date.parse('2024-01-02T03:04:05Z'),
    );
    expect(transitionTime('')).toBeUndefined();
  });
});
