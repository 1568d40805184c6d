/**
 * EC2's running-instance quotas, on-demand and spot alike, are vCPU counts per group of instance families
 * ("Standard (A, C, D, H, I, M, R, T, Z)", "G and VT", "P", …), per region: reaching one group's quota
 * leaves the others' free. Families not listed here are in the Standard group.
 */
const GROUPS: readonly (readonly [RegExp, string])[] = [
  [/^(g|gr|vt)\d/, 'G and VT'],
  [/^p\d/, 'P'],
  [/^f\d/, 'F'],
  [/^inf\d/, 'Inf'],
  [/^x\d/, 'X'],
  [/^dl\d/, 'DL'],
  [/^trn\d/, 'Trn'],
  [/^hpc\d/, 'HPC'],
  // u-6tb1.metal, u7i-12tb.224xlarge, u7in-16tb.224xlarge
  [/^u(\d+[a-z]*)?-/, 'High Memory'],
];

/** The quota group an instance type's vCPUs count against, e.g. `c5.large` → `Standard`. */
export function quotaGroupOf(instanceType: string): string {
  const family = instanceType.toLowerCase();
  return GROUPS.find(([pattern]) => pattern.test(family))?.[1] ?? 'Standard';
}
