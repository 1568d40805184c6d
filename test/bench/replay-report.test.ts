import { describe, expect, it } from 'vitest';
import { versus } from '../../bench/replay/replay-report.js';

describe('the replay verdict of one strategy against another (lower is better)', () => {
  it.each([
    { ours: 44, theirs: 100, verdict: 'met' },
    { ours: 97.9, theirs: 100, verdict: 'met' },
    { ours: 99, theirs: 100, verdict: 'TIE' },
    { ours: 100, theirs: 100, verdict: 'TIE' },
    { ours: 101.9, theirs: 100, verdict: 'TIE' },
    { ours: 102, theirs: 100, verdict: 'MISSED' },
  ])('$ours against $theirs is $verdict', ({ ours, theirs, verdict }) => {
    expect(versus(ours, theirs).trim()).toBe(verdict);
  });
});
