import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock/virtual-clock.js';
import type { IterationPlan } from '../../src/domain/plan-types.js';
import { PlanPreviewer } from '../../src/services/plan-previewer.js';

/** A plan source whose previews finish only when the test says so. */
function slowSource() {
  const pending: ((plan: IterationPlan) => void)[] = [];
  let started = 0;
  return {
    get started() {
      return started;
    },
    finish: (plan: IterationPlan) => pending.shift()?.(plan),
    preview: () => {
      started += 1;
      return new Promise<IterationPlan>((resolve) => pending.push(resolve));
    },
  };
}

const PLAN = { workerTypes: [] } as unknown as IterationPlan;

describe('PlanPreviewer', () => {
  it('shares a preview still running, however long it takes, then reuses it for 10 s after it finished', async () => {
    const clock = new VirtualClock(0);
    const source = slowSource();
    const previewer = new PlanPreviewer(source, clock);
    const first = previewer.plan();
    await clock.advanceBy(60_000); // a slow queue: still running a minute later
    const second = previewer.plan();
    expect(source.started).toBe(1);
    source.finish(PLAN);
    expect(await first).toBe(PLAN);
    expect(await second).toBe(PLAN);
    await clock.advanceBy(9_000);
    await previewer.plan();
    expect(source.started).toBe(1);
    await clock.advanceBy(2_000);
    const third = previewer.plan();
    expect(source.started).toBe(2);
    source.finish(PLAN);
    await third;
  });
});
