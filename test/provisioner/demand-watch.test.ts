import { describe, expect, it } from 'vitest';
import { DemandWatch } from '../../src/provisioner/demand-watch.js';
import { alphaFacts, planAlone } from '../domain/plan-fixture.js';

/** The plan of an iteration that saw `pendingTasks` for worker type alpha and launched for them. */
const planFor = (pendingTasks: number) => planAlone(alphaFacts({ pendingTasks }));

/** A queue whose answers the test hands out one by one. */
function heldQueue() {
  const waiting: Array<(pending: number) => void> = [];
  return {
    queue: { pendingTasks: () => new Promise<number>((resolve) => waiting.push(resolve)) },
    answer: async (pending: number) => {
      while (waiting.length === 0) await new Promise((resolve) => setImmediate(resolve));
      waiting.shift()?.(pending);
    },
  };
}

describe('DemandWatch', () => {
  it('needs two reads of grown demand after the same iteration, whatever answers arrive late', async () => {
    const { queue, answer } = heldQueue();
    const watch = new DemandWatch(queue, 'aws-provisioner-v1');
    watch.remember(planFor(0));
    // A check the runner abandons when the iteration is due: its answer comes after the new plan.
    const abandoned = watch.outgrown();
    watch.remember(planFor(0));
    await answer(5);
    expect(await abandoned).toBeUndefined();
    // The late read does not count as the new iteration's first one.
    const first = watch.outgrown();
    await answer(5);
    expect(await first).toBeUndefined();
    const second = watch.outgrown();
    await answer(5);
    expect(await second).toBe('alpha');
  });

  it('starts counting afresh after a failed read', async () => {
    const watch = new DemandWatch(
      {
        pendingTasks: (() => {
          const answers = [5, Number.NaN, 5, 5];
          return async () => {
            const next = answers.shift();
            if (next === undefined || Number.isNaN(next)) throw new Error('queue down');
            return next;
          };
        })(),
      },
      'aws-provisioner-v1',
    );
    watch.remember(planFor(0));
    expect(await watch.outgrown()).toBeUndefined();
    expect(await watch.outgrown()).toBeUndefined();
    expect(await watch.outgrown()).toBeUndefined();
    expect(await watch.outgrown()).toBe('alpha');
  });
});
