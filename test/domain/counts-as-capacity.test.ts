import { describe, expect, it } from 'vitest';
import { countsAsCapacity } from '../../src/domain/count-fleet.js';
import type { InstanceFact } from '../../src/domain/plan-types.js';

describe('countsAsCapacity', () => {
  const cases: [string, Pick<InstanceFact, 'state' | 'terminatedByUs' | 'lastSeen'>, boolean][] = [
    ['a running instance', { state: 'running' }, true],
    ['a pending instance', { state: 'pending' }, true],
    ['a stopped instance', { state: 'stopped' }, false],
    ['one shutting down', { state: 'shutting-down', terminatedByUs: true }, false],
    // EC2 shows it live after we asked to terminate it: the call failed, so it still runs and costs.
    [
      'one EC2 describes live though we asked to terminate it',
      { state: 'running', terminatedByUs: true },
      true,
    ],
    // Only the stored observation of a region that failed to describe says it runs: trust our request.
    [
      'one last seen live before we asked to terminate it',
      { state: 'running', terminatedByUs: true, lastSeen: true },
      false,
    ],
    ['one last seen live, never terminated by us', { state: 'running', lastSeen: true }, true],
  ];
  it.each(cases)('%s', (_name, instance, expected) => {
    expect(countsAsCapacity(instance)).toBe(expected);
  });
});
