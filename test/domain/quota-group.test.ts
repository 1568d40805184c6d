import { describe, expect, it } from 'vitest';
import { quotaGroupOf } from '../../src/domain/quota-group.js';

describe('quotaGroupOf', () => {
  it.each([
    ['c5.large', 'Standard'],
    ['m5d.2xlarge', 'Standard'],
    ['t3.medium', 'Standard'],
    ['i3.large', 'Standard'],
    ['h1.2xlarge', 'Standard'],
    ['g4dn.xlarge', 'G and VT'],
    ['vt1.3xlarge', 'G and VT'],
    ['gr6.4xlarge', 'G and VT'],
    ['p3.2xlarge', 'P'],
    ['f1.2xlarge', 'F'],
    ['inf1.xlarge', 'Inf'],
    ['x2gd.large', 'X'],
    ['dl1.24xlarge', 'DL'],
    ['trn1.2xlarge', 'Trn'],
    ['hpc6a.48xlarge', 'HPC'],
    ['u-6tb1.metal', 'High Memory'],
    ['u7i-12tb.224xlarge', 'High Memory'],
    ['u7in-16tb.224xlarge', 'High Memory'],
    ['C5.LARGE', 'Standard'],
  ])('%s counts against the %s quota', (instanceType, group) => {
    expect(quotaGroupOf(instanceType)).toBe(group);
  });
});
