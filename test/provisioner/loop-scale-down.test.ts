import { describe, expect, it } from 'vitest';
import { instanceTypeConfig } from '../../src/domain/worker-type.js';
import type { Ec2Port } from '../../src/ec2/ec2-port.js';
import { engines } from '../helpers/databases.js';
import { type LoopHarness, loopDefinition, loopHarnesses } from '../helpers/loop-harness.js';
import { overriding } from '../helpers/overriding.js';

const [pglite] = engines();
const engine = pglite as NonNullable<typeof pglite>;
const westOnly = () => ({
  regions: loopDefinition(['us-west-2']).regions,
  instanceTypes: [instanceTypeConfig('c5.large')],
});

describe('scale-down never takes an instance that may have claimed tasks', () => {
  const start = loopHarnesses();

  it('keeps instances described pending long before demand was read (another region answered late)', async () => {
    let lateEast = false;
    let harness: LoopHarness | undefined;
    const terminated: string[] = [];
    const h = await start(engine, {
      wrapEc2: (ec2) =>
        overriding(ec2, {
          describeInstances: async (...args: Parameters<Ec2Port['describeInstances']>) => {
            const answer = await ec2.describeInstances(...args);
            // us-east-1 answers 90 s after us-west-2 (throttled, retried): within the stale-state bound.
            if (lateEast && args[0] === 'us-east-1') {
              lateEast = false;
              await harness?.clock.advanceBy(90_000);
            }
            return answer;
          },
          terminateInstances: (...args: Parameters<Ec2Port['terminateInstances']>) => {
            terminated.push(...args[1]);
            return ec2.terminateInstances(...args);
          },
        }),
    });
    harness = h;
    await h.define('racer', { ...westOnly(), maxCapacity: 5 });
    h.addTasks('racer', 2, 3 * 3_600_000);
    await h.iterate(1, 0);
    expect(h.liveInstances('racer').map((i) => i.state)).toEqual(['pending', 'pending']);
    lateEast = true;
    const report = await h.iterate(1, 0);
    const plan = report.plan.workerTypes.find((p) => p.workerType === 'racer');
    // The instances booted during the late answer and their workers claimed both tasks: demand reads 0.
    expect(plan?.pendingTasks).toBe(0);
    expect(h.world.queue.counts()).toMatchObject({ pending: 0, running: 2 });
    expect(plan?.change).toBe(-2);
    expect(terminated).toEqual([]);
    expect(plan?.record.scaleDown?.kept).toEqual([{ reason: 'may-have-started', count: 2, capacity: 2 }]);
    expect(h.liveInstances('racer').map((i) => i.state)).toEqual(['running', 'running']);
  });
});
