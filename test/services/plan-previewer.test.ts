import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock/virtual-clock.js';
import type { IterationPlan } from '../../src/domain/plan-types.js';
import { UnavailableError } from '../../src/errors.js';
import { PlanPreviewer } from '../../src/services/plan-previewer.js';

/** A plan source whose previews finish only when the test says so. */
function slowSource() {
  const pending: ((plan: IterationPlan) => void)[] = [];
  const signals: (AbortSignal | undefined)[] = [];
  let started = 0;
  return {
    get started() {
      return started;
    },
    signals,
    finish: (plan: IterationPlan) => pending.shift()?.(plan),
    preview: (signal?: AbortSignal) => {
      started += 1;
      signals.push(signal);
      return new Promise<IterationPlan>((resolve) => pending.push(resolve));
    },
  };
}

const PLAN = { workerTypes: [] } as unknown as IterationPlan;

describe('PlanPreviewer', () => {
  it('shares a preview still running, then reuses it for 10 s after it finished', async () => {
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

  it('gives up a preview that never finishes at its deadline, tells it to stop, and starts afresh', async () => {
    const clock = new VirtualClock(0);
    const source = slowSource();
    const previewer = new PlanPreviewer(source, clock, { deadlineMs: 120_000 });
    const first = previewer.plan();
    const outcome = first.then(
      () => 'resolved',
      (error: Error) => error,
    );
    await clock.advanceBy(119_000);
    expect(source.signals[0]?.aborted).toBe(false);
    const shared = previewer.plan().catch((error: Error) => error);
    await clock.advanceBy(1_000);
    const error = await outcome;
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as Error).message).toMatch(/given up after 120 s/);
    expect(await shared).toBe(error);
    expect(source.signals[0]?.aborted).toBe(true);
    const next = previewer.plan();
    expect(source.started).toBe(2);
    source.finish(PLAN); // the abandoned one, too late: nobody waits for it
    source.finish(PLAN);
    expect(await next).toBe(PLAN);
  });
});
