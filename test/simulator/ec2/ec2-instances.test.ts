import {
  CreateTagsCommand,
  DescribeInstancesCommand,
  type Instance,
  paginateDescribeInstances,
  RunInstancesCommand,
  type RunInstancesCommandInput,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultImageId } from '../../../src/simulator/ec2/scenario.js';
import { errorCodeOf, type SimulatedEc2, startSimulatedEc2 } from './simulated-ec2.js';

const IMAGE = defaultImageId('us-east-1');

function launch(overrides: Partial<RunInstancesCommandInput> = {}): RunInstancesCommand {
  return new RunInstancesCommand({
    ImageId: IMAGE,
    InstanceType: 'c5.large',
    MinCount: 1,
    MaxCount: 1,
    ...overrides,
  });
}

async function describeAll(
  sim: SimulatedEc2,
  input: ConstructorParameters<typeof DescribeInstancesCommand>[0] = {},
) {
  const result = await sim.client().send(new DescribeInstancesCommand(input));
  return (result.Reservations ?? []).flatMap((reservation) => reservation.Instances ?? []);
}

describe('simulated EC2: instances', () => {
  let sim: SimulatedEc2;
  afterEach(async () => {
    await sim.close();
  });

  it('launches, boots, describes by filters and terminates an on-demand instance', async () => {
    sim = await startSimulatedEc2();
    const ec2 = sim.client();
    const userData = Buffer.from(JSON.stringify({ workerType: 'wt-1', capacity: 2 })).toString('base64');
    const run = await ec2.send(
      launch({
        UserData: userData,
        Placement: { AvailabilityZone: 'us-east-1c' },
        TagSpecifications: [
          {
            ResourceType: 'instance',
            Tags: [
              { Key: 'Name', Value: 'wt-1' },
              { Key: 'Owner', Value: 'prov' },
            ],
          },
          { ResourceType: 'volume', Tags: [{ Key: 'Name', Value: 'wt-1' }] },
        ],
      }),
    );
    const launched = run.Instances?.[0] as Instance;
    expect(launched).toMatchObject({
      State: { Name: 'pending', Code: 0 },
      Placement: { AvailabilityZone: 'us-east-1c' },
    });
    expect(launched.InstanceLifecycle).toBeUndefined();
    const id = launched.InstanceId as string;
    expect(sim.world.userData(id)).toBe('{"workerType":"wt-1","capacity":2}');
    expect(sim.world.countInstances()).toEqual({ pending: 1 });

    await sim.clock.advanceBy(30_000);
    expect(sim.world.countInstances()).toEqual({ running: 1 });
    const running = await describeAll(sim, {
      Filters: [
        { Name: 'tag:Owner', Values: ['prov'] },
        { Name: 'instance-state-name', Values: ['running', 'pending'] },
      ],
    });
    expect(running.map((i) => [i.InstanceId, i.State?.Name, i.Tags?.length])).toEqual([[id, 'running', 2]]);
    expect(await describeAll(sim, { Filters: [{ Name: 'tag:Owner', Values: ['someone-else'] }] })).toEqual(
      [],
    );
    expect(await describeAll(sim, { Filters: [{ Name: 'tag-key', Values: ['Own*'] }] })).toHaveLength(1);

    const terminated = await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    expect(terminated.TerminatingInstances?.[0]).toMatchObject({
      InstanceId: id,
      CurrentState: { Name: 'shutting-down' },
      PreviousState: { Name: 'running' },
    });
    await sim.clock.advanceBy(20_000);
    const [after] = await describeAll(sim, { InstanceIds: [id] });
    expect(after?.State?.Name).toBe('terminated');
    expect(after?.StateReason?.Code).toBe('Client.UserInitiatedShutdown');
    expect(sim.world.countInstances()).toEqual({ terminated: 1 });

    await sim.clock.advanceBy(3600_000);
    expect(await errorCodeOf(ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] })))).toBe(
      'InvalidInstanceID.NotFound',
    );
    expect(sim.world.countInstances()).toEqual({});
  });

  it('honours MinCount/MaxCount against pool capacity', async () => {
    sim = await startSimulatedEc2({ capacity: { pools: { 'us-east-1a/m5.large': 2 } } });
    const ec2 = sim.client();
    const place = { Placement: { AvailabilityZone: 'us-east-1a' }, InstanceType: 'm5.large' as const };
    const some = await ec2.send(launch({ ...place, MinCount: 1, MaxCount: 3 }));
    expect(some.Instances?.map((i) => i.AmiLaunchIndex)).toEqual([0, 1]);
    expect(await errorCodeOf(ec2.send(launch({ ...place, MinCount: 1, MaxCount: 1 })))).toBe(
      'InsufficientInstanceCapacity',
    );
    const elsewhere = await ec2.send(launch({ InstanceType: 'm5.large', MinCount: 3, MaxCount: 3 }));
    expect(elsewhere.Instances).toHaveLength(3);
    expect(elsewhere.Instances?.[0]?.Placement?.AvailabilityZone).not.toBe('us-east-1a');
    expect(sim.world.events.list({ type: 'launch-failed' }).map((event) => event.code)).toEqual([
      'InsufficientInstanceCapacity',
    ]);
  });

  it('is idempotent on ClientToken and refuses a token reused with other arguments', async () => {
    sim = await startSimulatedEc2();
    const ec2 = sim.client();
    const first = await ec2.send(launch({ ClientToken: 'token-1' }));
    const again = await ec2.send(launch({ ClientToken: 'token-1' }));
    expect(again.Instances?.map((i) => i.InstanceId)).toEqual(first.Instances?.map((i) => i.InstanceId));
    expect(again.ReservationId).toBe(first.ReservationId);
    expect(await describeAll(sim)).toHaveLength(1);
    expect(await errorCodeOf(ec2.send(launch({ ClientToken: 'token-1', InstanceType: 'm5.large' })))).toBe(
      'IdempotentParameterMismatch',
    );
    expect(await describeAll(sim, { Filters: [{ Name: 'client-token', Values: ['token-1'] }] })).toHaveLength(
      1,
    );
  });

  it('forgets a client token once its instances have vanished, so records do not pile up', async () => {
    sim = await startSimulatedEc2({
      delays: { terminatedRetentionMs: 60_000, shutdown: { minMs: 0, maxMs: 0 } },
    });
    const ec2 = sim.client();
    const first = await ec2.send(launch({ ClientToken: 'token-2' }));
    const id = first.Instances?.[0]?.InstanceId as string;
    const region = sim.world.region('us-east-1');
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    await sim.clock.advanceBy(30_000);
    // Terminated but still visible: the token still answers with the same instance.
    const again = await ec2.send(launch({ ClientToken: 'token-2' }));
    expect(again.Instances?.map((i) => i.InstanceId)).toEqual([id]);
    expect(region.runTokens.size).toBe(1);
    await sim.clock.advanceBy(60_000);
    expect(await describeAll(sim)).toEqual([]);
    expect(region.runTokens.size).toBe(0);
  });

  it('pages through instances once each, even while instances vanish between pages', async () => {
    sim = await startSimulatedEc2({ delays: { terminatedRetentionMs: 0, shutdown: { minMs: 0, maxMs: 0 } } });
    const ec2 = sim.client();
    await ec2.send(launch({ MinCount: 23, MaxCount: 23 }));
    const all = await describeAll(sim);
    expect(all).toHaveLength(23);

    const seen: string[] = [];
    let pages = 0;
    for await (const page of paginateDescribeInstances({ client: ec2 }, { MaxResults: 5 })) {
      pages++;
      for (const reservation of page.Reservations ?? []) {
        for (const instance of reservation.Instances ?? []) seen.push(instance.InstanceId as string);
      }
      if (pages === 1) {
        // The last instance of the first page and one not yet seen go away mid-walk.
        await ec2.send(
          new TerminateInstancesCommand({ InstanceIds: [seen[4] as string, all[10]?.InstanceId as string] }),
        );
        await sim.clock.advanceBy(1);
      }
    }
    expect(pages).toBe(5);
    expect(seen).toHaveLength(22);
    expect(new Set(seen).size).toBe(22);
    expect(seen).not.toContain(all[10]?.InstanceId);
  });

  it('rejects bad instance ids, filters and combinations as EC2 does', async () => {
    sim = await startSimulatedEc2();
    const ec2 = sim.client();
    expect(
      await errorCodeOf(ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-0123456789abcdef0'] }))),
    ).toBe('InvalidInstanceID.NotFound');
    expect(await errorCodeOf(ec2.send(new DescribeInstancesCommand({ InstanceIds: ['instance-1'] })))).toBe(
      'InvalidInstanceID.Malformed',
    );
    expect(
      await errorCodeOf(
        ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-0123456789abcdef0'], MaxResults: 5 })),
      ),
    ).toBe('InvalidParameterCombination');
    expect(
      await errorCodeOf(
        ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'colour', Values: ['x'] }] })),
      ),
    ).toBe('InvalidParameterValue');
    expect(
      await errorCodeOf(ec2.send(new TerminateInstancesCommand({ InstanceIds: ['i-0123456789abcdef0'] }))),
    ).toBe('InvalidInstanceID.NotFound');
  });

  it.each([
    {
      name: 'user data that is not base64',
      input: { UserData: '%%%not base64' },
      code: 'InvalidParameterValue',
    },
    {
      name: 'an unknown instance type',
      input: { InstanceType: 'c99.huge' as never },
      code: 'InvalidParameterValue',
    },
    { name: 'an unknown image', input: { ImageId: 'ami-0123456789abcdef0' }, code: 'InvalidAMIID.NotFound' },
    { name: 'an unknown key pair', input: { KeyName: 'nobody' }, code: 'InvalidKeyPair.NotFound' },
    { name: 'an unknown security group', input: { SecurityGroups: ['nope'] }, code: 'InvalidGroup.NotFound' },
    {
      name: 'an unknown zone',
      input: { Placement: { AvailabilityZone: 'us-east-1z' } },
      code: 'InvalidParameterValue',
    },
    { name: 'MinCount above MaxCount', input: { MinCount: 3, MaxCount: 2 }, code: 'InvalidParameterValue' },
    {
      name: 'a too long client token',
      input: { ClientToken: 'x'.repeat(65) },
      code: 'InvalidParameterValue',
    },
  ])('refuses a launch with $name', async ({ input, code }) => {
    sim = await startSimulatedEc2();
    expect(await errorCodeOf(sim.client().send(launch(input)))).toBe(code);
    expect(sim.world.listInstances()).toEqual([]);
  });

  it('enforces the on-demand vCPU limit', async () => {
    sim = await startSimulatedEc2({ limits: { onDemandVcpusPerRegion: 4 } });
    const ec2 = sim.client();
    await ec2.send(launch({ InstanceType: 'c5.large', MinCount: 2, MaxCount: 2 }));
    expect(await errorCodeOf(ec2.send(launch({ InstanceType: 'c5.large' })))).toBe('VcpuLimitExceeded');
  });

  it('keeps new instances invisible to Describe* and CreateTags until they become consistent', async () => {
    sim = await startSimulatedEc2({ delays: { instanceVisibility: { minMs: 5_000, maxMs: 5_000 } } });
    const ec2 = sim.client();
    const run = await ec2.send(launch());
    const id = run.Instances?.[0]?.InstanceId as string;
    expect(await describeAll(sim)).toEqual([]);
    expect(await errorCodeOf(ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] })))).toBe(
      'InvalidInstanceID.NotFound',
    );
    expect(
      await errorCodeOf(
        ec2.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: 'k', Value: 'v' }] })),
      ),
    ).toBe('InvalidInstanceID.NotFound');
    await sim.clock.advanceBy(5_000);
    expect((await describeAll(sim))[0]?.Tags).toBeUndefined();
    await ec2.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: 'k', Value: 'v' }] }));
    const [instance] = await describeAll(sim, { InstanceIds: [id] });
    expect(instance?.Tags).toEqual([{ Key: 'k', Value: 'v' }]);
  });

  it('describes cached instances byte-exact, with text that is not ASCII, and again after a change', async () => {
    sim = await startSimulatedEc2();
    const ec2 = sim.client();
    const tags = [{ Key: 'Name', Value: 'ünïcode ✓ & <ok>' }];
    const run = await ec2.send(launch({ TagSpecifications: [{ ResourceType: 'instance', Tags: tags }] }));
    const id = run.Instances?.[0]?.InstanceId as string;
    await sim.clock.advanceBy(60_000);
    // Twice: the second page is written from the cached rendering.
    for (let i = 0; i < 2; i++) expect((await describeAll(sim))[0]?.Tags).toEqual(tags);
    await ec2.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: 'Name', Value: 'ß→∞' }] }));
    expect((await describeAll(sim))[0]?.Tags).toEqual([{ Key: 'Name', Value: 'ß→∞' }]);
  });
});
