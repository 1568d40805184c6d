import { describe, expect, it } from 'vitest';
import { sharedUntilFailure } from '../../src/ui/lib/shared-until-failure.js';

describe('what the admin UI loads once (its API reference)', () => {
  it('is loaded again after a failure (a 502 during a restart must not stick), and only once after a success', async () => {
    const outcomes = ['502', 'reference', 'unused'];
    let loads = 0;
    const load = sharedUntilFailure(async () => {
      loads++;
      const outcome = outcomes.shift();
      if (outcome === '502') throw new Error('Could not load the API reference (502)');
      return outcome;
    });
    const [first, second] = [load(), load()];
    await expect(first).rejects.toThrow('(502)');
    await expect(second).rejects.toThrow('(502)');
    expect(await load()).toBe('reference');
    expect(await load()).toBe('reference');
    expect(loads).toBe(2);
  });
});
