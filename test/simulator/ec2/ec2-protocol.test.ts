import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DescribeAvailabilityZonesCommand,
  DescribeInstancesCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/clock/virtual-clock.js';
import { createEc2HttpHandler } from '../../../src/simulator/ec2/ec2-http-handler.js';
import { Ec2World } from '../../../src/simulator/ec2/ec2-world.js';
import { defaultImageId } from '../../../src/simulator/ec2/scenario.js';
import { errorCodeOf, type SimulatedEc2, startSimulatedEc2 } from './simulated-ec2.js';

const IMAGE = defaultImageId('us-east-1');
const ERROR_XML =
  /^<\?xml version="1.0" encoding="UTF-8"\?>\n<Response><Errors><Error><Code>([^<]+)<\/Code><Message>([^<]*)<\/Message><\/Error><\/Errors><RequestID>[0-9a-f-]{36}<\/RequestID><\/Response>$/;

function codeOf(text: string): string | undefined {
  return ERROR_XML.exec(text)?.[1];
}

async function control(sim: SimulatedEc2, method: string, path: string, body?: unknown) {
  const response = await fetch(`${sim.server.url}/simulator/v1/ec2/${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('simulated EC2: protocol strictness', () => {
  let sim: SimulatedEc2;
  afterEach(async () => {
    await sim.close();
  });

  interface Case {
    name: string;
    form: Record<string, string>;
    region?: string | null;
    status: number;
    code: string;
  }
  it.each<Case>([
    {
      name: 'an unsigned request',
      form: { Action: 'DescribeRegions' },
      region: null,
      status: 401,
      code: 'AuthFailure',
    },
    {
      name: 'a region the world lacks',
      form: { Action: 'DescribeRegions' },
      region: 'ap-south-7',
      status: 401,
      code: 'AuthFailure',
    },
    { name: 'no action', form: { Version: '2016-11-15' }, status: 400, code: 'MissingAction' },
    { name: 'an unknown action', form: { Action: 'LaunchRocket' }, status: 400, code: 'InvalidAction' },
    {
      name: 'a bad version',
      form: { Action: 'DescribeRegions', Version: 'latest' },
      status: 400,
      code: 'NoSuchVersion',
    },
    {
      name: 'an unknown parameter',
      form: { Action: 'DescribeInstances', Colour: 'red' },
      status: 400,
      code: 'UnknownParameter',
    },
    {
      name: 'a parameter of another action',
      form: { Action: 'RunInstances', 'LaunchSpecification.ImageId': IMAGE, MinCount: '1', MaxCount: '1' },
      status: 400,
      code: 'UnknownParameter',
    },
    {
      name: 'a non-numeric MaxResults',
      form: { Action: 'DescribeInstances', MaxResults: 'ten' },
      status: 400,
      code: 'InvalidParameterValue',
    },
    {
      name: 'a non-boolean DryRun',
      form: { Action: 'DescribeInstances', DryRun: 'maybe' },
      status: 400,
      code: 'InvalidParameterValue',
    },
    {
      name: 'a zero list index',
      form: { Action: 'DescribeInstances', 'InstanceId.0': 'i-0123456789abcdef0' },
      status: 400,
      code: 'InvalidParameterValue',
    },
    {
      name: 'a missing MinCount',
      form: { Action: 'RunInstances', ImageId: IMAGE, MaxCount: '1' },
      status: 400,
      code: 'MissingParameter',
    },
    {
      name: 'a missing ImageId',
      form: { Action: 'RunInstances', MinCount: '1', MaxCount: '1' },
      status: 400,
      code: 'MissingParameter',
    },
    {
      name: 'a filter without a name',
      form: { Action: 'DescribeInstances', 'Filter.1.Value.1': 'x' },
      status: 400,
      code: 'MissingParameter',
    },
    {
      name: 'a spot option without the spot market',
      form: {
        Action: 'RunInstances',
        ImageId: IMAGE,
        MinCount: '1',
        MaxCount: '1',
        'InstanceMarketOptions.SpotOptions.MaxPrice': '1',
      },
      status: 400,
      code: 'InvalidParameterCombination',
    },
    {
      name: 'a dry run of a Describe',
      form: { Action: 'DescribeInstances', DryRun: 'true' },
      status: 412,
      code: 'DryRunOperation',
    },
    {
      name: 'a dry run',
      form: {
        Action: 'RunInstances',
        ImageId: IMAGE,
        InstanceType: 'c5.large',
        MinCount: '1',
        MaxCount: '1',
        DryRun: 'true',
      },
      status: 412,
      code: 'DryRunOperation',
    },
  ])('answers $name with $code in EC2 error XML', async ({ form, region, status, code }) => {
    sim = await startSimulatedEc2();
    const response = await sim.post(form, region === undefined ? {} : { region });
    expect(response.status).toBe(status);
    expect(codeOf(response.text)).toBe(code);
    expect(sim.world.listInstances()).toEqual([]);
  });

  it('throttles per region and action category with token buckets that refill over time', async () => {
    sim = await startSimulatedEc2({
      throttle: { enabled: true, describe: { capacity: 3, refillPerSecond: 1 } },
    });
    const east = sim.client('us-east-1');
    for (let i = 0; i < 3; i++) await east.send(new DescribeInstancesCommand({}));
    const throttled = await sim.post({ Action: 'DescribeInstances' });
    expect([throttled.status, codeOf(throttled.text)]).toEqual([503, 'RequestLimitExceeded']);
    expect(await errorCodeOf(east.send(new DescribeInstancesCommand({})))).toBe('RequestLimitExceeded');
    // Another region and the mutating bucket are unaffected.
    await expect(sim.client('us-west-2').send(new DescribeInstancesCommand({}))).resolves.toBeDefined();
    await expect(
      east.send(
        new RunInstancesCommand({ ImageId: IMAGE, InstanceType: 'c5.large', MinCount: 1, MaxCount: 1 }),
      ),
    ).resolves.toBeDefined();
    await sim.clock.advanceBy(1_000);
    await expect(east.send(new DescribeInstancesCommand({}))).resolves.toBeDefined();
    expect(await errorCodeOf(east.send(new DescribeInstancesCommand({})))).toBe('RequestLimitExceeded');
    expect(sim.world.events.list({ type: 'request-throttled' })).toHaveLength(3);
  });

  it('injects a region outage, 5xx bursts, throttling storms and dropped connections at run time', async () => {
    sim = await startSimulatedEc2();
    const east = sim.client('us-east-1');
    const west = sim.client('us-west-2');
    const down = await control(sim, 'POST', 'faults/region-down', { region: 'us-east-1' });
    expect(await errorCodeOf(east.send(new DescribeAvailabilityZonesCommand({})))).toBe('Unavailable');
    await expect(west.send(new DescribeAvailabilityZonesCommand({}))).resolves.toBeDefined();
    expect((await control(sim, 'GET', 'faults')).body.faults).toHaveLength(1);
    expect((await control(sim, 'DELETE', `faults/${(down.body.fault as { id: number }).id}`)).status).toBe(
      200,
    );
    await expect(east.send(new DescribeAvailabilityZonesCommand({}))).resolves.toBeDefined();

    await control(sim, 'POST', 'faults/server-errors', { durationMs: 60_000 });
    const failed = await sim.post({ Action: 'DescribeRegions' });
    expect([failed.status, codeOf(failed.text)]).toEqual([500, 'InternalError']);
    expect(await errorCodeOf(west.send(new DescribeAvailabilityZonesCommand({})))).toBe('InternalError');
    await sim.clock.advanceBy(60_000);
    await expect(west.send(new DescribeAvailabilityZonesCommand({}))).resolves.toBeDefined();

    await control(sim, 'POST', 'faults/throttling-storm', { region: 'us-west-2', durationMs: 10_000 });
    expect(await errorCodeOf(west.send(new DescribeAvailabilityZonesCommand({})))).toBe(
      'RequestLimitExceeded',
    );
    await sim.clock.advanceBy(10_000);

    await control(sim, 'POST', 'faults/region-down', {
      region: 'us-west-2',
      mode: 'connection-reset',
      durationMs: 5_000,
    });
    await expect(west.send(new DescribeAvailabilityZonesCommand({}))).rejects.toThrow();
    await sim.clock.advanceBy(5_000);
    await expect(west.send(new DescribeAvailabilityZonesCommand({}))).resolves.toBeDefined();

    const kinds = sim.world.events
      .list()
      .filter((e) => e.type === 'fault-ended')
      .map((e) => e.kind);
    expect(kinds).toEqual(['region-down', 'server-errors', 'throttling-storm', 'region-down']);
  });

  it('serves the control API: inspection, validation and errors', async () => {
    sim = await startSimulatedEc2();
    await sim
      .client()
      .send(new RunInstancesCommand({ ImageId: IMAGE, InstanceType: 'c5.large', MinCount: 2, MaxCount: 2 }));
    const instances = await control(sim, 'GET', 'instances?region=us-east-1');
    expect((instances.body.instances as unknown[]).length).toBe(2);
    const events = await control(sim, 'GET', 'events?type=instance-launched');
    expect((events.body.events as unknown[]).length).toBe(2);
    expect((await control(sim, 'GET', 'time')).body.now).toBe(sim.clock.now());
    expect((await control(sim, 'POST', 'faults/region-down', { region: 42 })).status).toBe(400);
    expect((await control(sim, 'POST', 'faults/region-down', '[1, 2')).status).toBe(400);
    expect((await control(sim, 'POST', 'faults/region-down', { region: 'xx-none-1' })).body.code).toBe(
      'AuthFailure',
    );
    expect((await control(sim, 'POST', 'faults/meteor-strike', {})).status).toBe(404);
    expect((await control(sim, 'GET', 'nothing-here')).status).toBe(404);
    const id = (instances.body.instances as Array<{ instanceId: string }>)[0]?.instanceId;
    const shutdown = await control(sim, 'POST', `instances/${id}/shutdown`);
    expect((shutdown.body.instance as { stateReason: { code: string } }).stateReason.code).toBe(
      'Client.InstanceInitiatedShutdown',
    );
  });

  it('lets other handlers serve what is not EC2', async () => {
    sim = await startSimulatedEc2();
    const world = new Ec2World({ clock: new VirtualClock() });
    const ec2 = createEc2HttpHandler(world);
    const server = createServer((req, res) => {
      void ec2(req, res).then((handled) => {
        if (!handled) res.end('queue simulator');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect(await (await fetch(`${url}/api/queue/v1/pending/a/b`)).text()).toBe('queue simulator');
      const get = await fetch(`${url}/?Action=DescribeRegions`);
      expect(await get.text()).toBe('queue simulator');
      const json = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(json.status).toBe(401);
      expect(await json.text()).toContain('<Code>AuthFailure</Code>');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
