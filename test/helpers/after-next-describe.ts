import type { Ec2Port } from '../../src/ec2/ec2-port.js';
import { overriding } from './overriding.js';

/**
 * Runs a hook once, right after the next DescribeInstances answers: inside an iteration, after it read the
 * database and before it acts on it. `wrapEc2` goes to the loop harness; `set` arms the hook.
 */
export function afterNextDescribe() {
  let hook: (() => Promise<unknown>) | undefined;
  return {
    wrapEc2: (ec2: Ec2Port): Ec2Port =>
      overriding(ec2, {
        describeInstances: async (...args: Parameters<Ec2Port['describeInstances']>) => {
          const described = await ec2.describeInstances(...args);
          const armed = hook;
          hook = undefined;
          await armed?.();
          return described;
        },
      }),
    set(next: () => Promise<unknown>): void {
      hook = next;
    },
    /** True while the hook is armed and has not run. */
    get pending(): boolean {
      return hook !== undefined;
    },
  };
}
