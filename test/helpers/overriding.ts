/**
 * `target` with some of its methods replaced; every other member is the target's own (through the
 * prototype), so a test fakes one call of a real port and keeps the rest real.
 */
export function overriding<T extends object>(target: T, overrides: Partial<T>): T {
  return Object.assign(Object.create(target) as T, overrides);
}
