import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/clock/virtual-clock.js';
import { Ec2ApiError } from '../../../src/simulator/ec2/ec2-api-error.js';
import { Ec2World } from '../../../src/simulator/ec2/ec2-world.js';
import type { WorldEvent } from '../../../src/simulator/ec2/event-log.js';
import { defaultImageId } from '../../../src/simulator/ec2/scenario.js';
import type { InstanceHookEvent } from '../../../src/simulator/ec2/world-context.js';

const START = Date.UTC(2024, 0, 1);
const HOUR = 3600_000;

function launchSpec(region: string, instanceType = 'c5.large') {
  return { imageId: defaultImageId(region), instanceType };
}

/** A busy hour: launches in every region, spot requests, interruptions, workers that shut themselves down. */
async function busyHour(seed: string): Promise<{ events: WorldEvent[]; clock: VirtualClock }> {
  const clock = new VirtualClock(START);
  const world = new Ec2World({ clock, scenario: { seed, interruptions: { multiplier: 20_000 } } });
  world.onInstanceEvent((event) => {
    if (event.type === 'running')
      clock.setTimer(20 * 60_000, () => world.shutdownFromInside(event.instance.instanceId));
  });
  const attempt = (launch: () => unknown) => {
    try {
      launch();
    } catch (error) {
      if (!(error instanceof Ec2ApiError)) throw error;
    }
  };
  for (let tick = 0; tick < 120; tick++) {
    for (const region of world.regionNames()) {
      attempt(() =>
        world.launches.runInstances(region, {
          spec: launchSpec(region),
          minCount: 1,
          maxCount: 2,
          market: 'spot',
        }),
      );
      if (tick % 4 === 0) {
        attempt(() =>
          world.launches.runInstances(region, {
            spec: launchSpec(region, 'm5.large'),
            minCount: 1,
            maxCount: 1,
            market: 'on-demand',
          }),
        );
        attempt(() =>
          world.launches.requestSpotInstances(region, {
            spec: launchSpec(region, 'r5.large'),
            instanceCount: 1,
          }),
        );
      }
    }
    if (tick === 60) world.faults.interruptionWave({ region: 'us-east-1', fraction: 0.5 });
    await clock.advanceBy(30_000);
  }
  return { events: world.events.list(), clock };
}

describe('simulated EC2 world', () => {
  it('tells in-process observers about the lifecycle and lets an instance shut itself down', async () => {
    const clock = new VirtualClock(START);
    const world = new Ec2World({
      clock,
      scenario: { delays: { boot: { minMs: 40_000 }, shutdown: { minMs: 10_000 } } },
    });
    const heard: InstanceHookEvent[] = [];
    const unsubscribe = world.onInstanceEvent((event) => heard.push(event));
    const userData = Buffer.from('{"capacity":1}').toString('base64');
    const { instances } = world.launches.runInstances('eu-central-1', {
      spec: { ...launchSpec('eu-central-1'), userData },
      minCount: 1,
      maxCount: 1,
      market: 'on-demand',
      instanceTags: { WorkerType: 'prov/wt' },
    });
    const id = instances[0]?.instanceId as string;
    expect(world.userData(id)).toBe('{"capacity":1}');
    await clock.advanceBy(40_000);
    expect(heard.map((event) => [event.type, event.instance.state])).toEqual([['running', 'running']]);
    expect(heard[0]?.instance.tags).toEqual({ WorkerType: 'prov/wt' });

    expect(world.shutdownFromInside(id)).toBe(true);
    expect(world.shutdownFromInside(id)).toBe(false);
    await clock.advanceBy(10_000);
    expect(heard.slice(1).map((event) => [event.type, 'reason' in event ? event.reason.code : ''])).toEqual([
      ['shutting-down', 'Client.InstanceInitiatedShutdown'],
      ['terminated', 'Client.InstanceInitiatedShutdown'],
    ]);
    unsubscribe();
    world.launches.runInstances('eu-central-1', {
      spec: launchSpec('eu-central-1'),
      minCount: 1,
      maxCount: 1,
      market: 'on-demand',
    });
    await clock.advanceBy(60_000);
    expect(heard).toHaveLength(3);
  });

  it('runs a busy hour of virtual time and logs the same events for the same seed', async () => {
    const first = await busyHour('seed-a');
    const second = await busyHour('seed-a');
    const other = await busyHour('seed-b');
    expect(first.clock.now()).toBe(START + HOUR);
    expect(second.events).toEqual(first.events);
    expect(other.events).not.toEqual(first.events);
    expect(JSON.parse(JSON.stringify(first.events))).toEqual(first.events);

    const types = new Set(first.events.map((event) => event.type));
    for (const type of [
      'instance-launched',
      'instance-running',
      'interruption-warning',
      'instance-terminated',
      'spot-request-status',
    ]) {
      expect(types).toContain(type);
    }
    const times = first.events.map((event) => event.time);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(Math.max(...times)).toBeLessThanOrEqual(START + HOUR);
  });

  describe('with a SpotLake price trace', () => {
    let dir: string;
    const csv = [
      'Time,InstanceType,Region,AZ,SPS,IF,OndemandPrice,SpotPrice,Savings',
      '2024-01-10 00:00:00,c5.large,us-east-1,use1-az1,3,2.5,0.085,0.0301,65',
      '2024-01-10 01:00:00,c5.large,us-east-1,use1-az1,3,2.5,0.085,0.0301,65',
      '2024-01-10 02:00:00,c5.large,us-east-1,use1-az1,3,2.5,0.085,0.0512,40',
      '2024-01-10 00:00:00,c5.large,us-east-1,use1-az2,3,2.5,0.085,0.0333,61',
    ].join('\n');

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'spot-trace-'));
      await writeFile(join(dir, 'trace.csv.gz'), gzipSync(csv));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('replays the trace from the world start and falls back to the model elsewhere', async () => {
      const clock = new VirtualClock(START);
      const scenario = { prices: { tracePath: join(dir, 'trace.csv.gz') } };
      expect(() => new Ec2World({ clock, scenario })).toThrow('Ec2World.create');
      const world = await Ec2World.create({ clock, scenario });
      expect(world.spotPrice('us-east-1', 'us-east-1a', 'c5.large')).toBe(0.0301);
      expect(world.spotPrice('us-east-1', 'us-east-1b', 'c5.large')).toBe(0.0333);
      await clock.advanceBy(2 * HOUR);
      expect(world.spotPrice('us-east-1', 'us-east-1a', 'c5.large')).toBe(0.0512);
      const history = world.market.history('us-east-1', 'us-east-1a', 'c5.large', START, clock.now());
      expect(history).toEqual([
        { time: START, price: 0.0301 },
        { time: START + 2 * HOUR, price: 0.0512 },
      ]);
      const modelled = world.spotPrice('us-east-1', 'us-east-1c', 'c5.large') as number;
      expect(modelled).toBeGreaterThan(0);
      expect(modelled).toBeLessThanOrEqual(world.catalog.onDemandPrice('us-east-1', 'c5.large') as number);
    });
  });
});
