import type { Clock } from '../../clock/clock.js';
import { type NonceStore, nonceRetentionMs } from './nonce-store.js';

/** A NonceStore for one process (unit tests, a single sandbox); replicas need DatabaseNonceStore. */
export class MemoryNonceStore implements NonceStore {
  private readonly seenAt = new Map<string, number>();
  private readonly retentionMs: number;

  constructor(
    private readonly clock: Clock,
    timestampSkewSec = 900,
  ) {
    this.retentionMs = nonceRetentionMs(timestampSkewSec);
  }

  async seen(clientId: string, nonce: string, ts: number): Promise<boolean> {
    const now = this.clock.now();
    this.prune(now);
    // JSON keeps the three parts apart whatever characters they contain.
    const key = JSON.stringify([clientId, nonce, ts]);
    if (this.seenAt.has(key)) return true;
    this.seenAt.set(key, now);
    return false;
  }

  get size(): number {
    return this.seenAt.size;
  }

  private prune(now: number): void {
    // Map iteration is insertion order, which is seen_at order for a clock that does not go back.
    for (const [key, at] of this.seenAt) {
      if (at >= now - this.retentionMs) break;
      this.seenAt.delete(key);
    }
  }
}
