import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/clock/virtual-clock.js';
import {
  DEMO_PROVISIONER_ID,
  demoScenario,
  demoWorkerTypes,
} from '../../../src/simulator/scenarios/demo-scenario.js';
import { loadScenario } from '../../../src/simulator/scenarios/scenario-file.js';
import { SimulatedWorld } from '../../../src/simulator/simulated-world.js';
import { HOUR, START } from '../world-fixture.js';

describe('demo scenario', () => {
  it('has the AMIs and security groups every demo worker type launches with, for every instance type', () => {
    const world = new SimulatedWorld({ clock: new VirtualClock(START), scenario: demoScenario() });
    const launches: string[] = [];
    for (const { workerType, definition } of demoWorkerTypes()) {
      for (const region of definition.regions) {
        for (const { instanceType } of definition.instanceTypes) {
          const { instances } = world.ec2.launches.runInstances(region.region, {
            spec: {
              imageId: region.launchSpec.ImageId,
              instanceType,
              securityGroupNames: definition.launchSpec.SecurityGroups as string[],
            },
            minCount: 1,
            maxCount: 1,
            market: definition.canUseOndemand ? 'on-demand' : 'spot',
          });
          launches.push(`${workerType}:${instances[0]?.region}:${instances[0]?.instanceType}`);
        }
      }
    }
    const expected = demoWorkerTypes().flatMap(({ workerType, definition }) =>
      definition.regions.flatMap((region) =>
        definition.instanceTypes.map((type) => `${workerType}:${region.region}:${type.instanceType}`),
      ),
    );
    expect(launches).toEqual(expected);
  });

  it('brings steady and bursty load to every demo worker type', async () => {
    const clock = new VirtualClock(START);
    const world = new SimulatedWorld({ clock, scenario: demoScenario({ seed: 'demo-test' }) });
    await clock.advanceTo(START + 3 * HOUR);
    const pending = Object.fromEntries(
      demoWorkerTypes().map(({ workerType }) => [
        workerType,
        world.queue.pendingTasks(`${DEMO_PROVISIONER_ID}/${workerType}`),
      ]),
    );
    // Nobody provisions here, so everything that arrived is still pending.
    expect(pending['demo-tests']).toBeGreaterThan(3 * 240 * 0.8 + 120);
    expect(pending['demo-builds']).toBeGreaterThan(25);
    expect(pending['demo-mobile']).toBeGreaterThan(3 * 30 * 0.6);
    expect(world.summary().tasks.created).toBe(Object.values(pending).reduce((a, b) => a + b, 0));
  });

  it('uses the provisioner id it is given', () => {
    const load = demoScenario({ provisionerId: 'my-prov' }).load ?? [];
    expect(new Set(load.map((spec) => spec.provisionerId))).toEqual(new Set(['my-prov']));
  });
});

describe('scenario files', () => {
  it('knows the built-in names', async () => {
    expect(await loadScenario('demo')).toEqual(demoScenario());
    expect(await loadScenario('empty')).toEqual({});
  });

  it('reads JSON and resolves trace paths against the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'scenario-'));
    try {
      const file = join(dir, 'world.json');
      await writeFile(
        file,
        JSON.stringify({
          seed: 5,
          prices: { tracePath: 'prices.csv.gz' },
          load: [{ kind: 'trace', provisionerId: 'p', workerType: 'w', path: 'traces/a.dat' }],
        }),
      );
      expect(await loadScenario(file)).toEqual({
        seed: 5,
        prices: { tracePath: join(dir, 'prices.csv.gz') },
        load: [{ kind: 'trace', provisionerId: 'p', workerType: 'w', path: join(dir, 'traces/a.dat') }],
      });
      await writeFile(file, '[1, 2]');
      await expect(loadScenario(file)).rejects.toThrow(/one JSON object/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
