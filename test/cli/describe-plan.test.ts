import { describe, expect, it } from 'vitest';
import { describePlan } from '../../src/cli/service-commands.js';
import { alphaFacts, planAlone } from '../domain/plan-fixture.js';

describe('the plan command’s text', () => {
  it('says why capacity goes unmet, and which offers were left out for what', () => {
    const plan = planAlone(alphaFacts({ pendingTasks: 2 }, { maxPrice: 0.01 }));
    const text = describePlan(plan, plan.workerTypes);
    expect(text).toContain('alpha: pending tasks 2');
    expect(text).toContain('  unmet: 2 capacity units unmet: on-demand-not-allowed, over-max-price');
    expect(text).toMatch(/ {2}excluded, over-max-price: spot c5\.xlarge in us-west-2a \(.+\)/);
    expect(text).toContain('  excluded, on-demand-not-allowed: on-demand c5.xlarge in us-west-2a');
  });

  it('lists launches and nothing unmet when the offers cover the change', () => {
    const plan = planAlone(alphaFacts({ pendingTasks: 1 }));
    const text = describePlan(plan, plan.workerTypes);
    expect(text).toContain('  launch spot c5.xlarge in us-west-2a at $0.1/h');
    expect(text).not.toContain('unmet');
  });
});
