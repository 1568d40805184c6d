import type { Clock } from '../clock/clock.js';

export type WakeReason = 'notify' | 'connect' | 'stop';

/**
 * A sleep that selected events can cut short. A wake that arrives while nobody waits is remembered, so
 * work signalled during a busy spell is not left for the next timeout.
 */
export class Wakeup {
  private readonly pending = new Set<WakeReason>();
  private waiting: { accept: ReadonlySet<WakeReason>; finish: () => void } | undefined;

  constructor(private readonly clock: Clock) {}

  /** Resolves after `ms`, or as soon as one of `accept` is (or already was) signalled. */
  wait(ms: number, accept: readonly WakeReason[]): Promise<void> {
    if (accept.some((reason) => this.pending.has(reason))) {
      this.pending.clear();
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      let cancel = () => {};
      const finish = () => {
        cancel();
        this.waiting = undefined;
        this.pending.clear();
        resolve();
      };
      this.waiting = { accept: new Set(accept), finish };
      cancel = this.clock.setTimer(ms, finish);
    });
  }

  wake(reason: WakeReason): void {
    if (this.waiting?.accept.has(reason)) this.waiting.finish();
    else this.pending.add(reason);
  }
}
