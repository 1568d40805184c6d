import type { Queryable } from './database.js';

/**
 * A fencing token for the loop's leadership. The advisory lock says who leads now, but a leader that lost it
 * (a dropped session, a network cut) learns so only later, and may still be recording launches when the new
 * leader reads the database: both would then launch for the same demand. Each leadership takes a new epoch,
 * and launches are recorded only under the epoch of the process recording them. A transaction that checks
 * the epoch holds its row, so the next leader's claim waits for it, and then sees what it recorded.
 */
export class LeaderFence {
  private epoch: number | null = null;
  private lost = false;

  /**
   * On becoming leader, before reading anything: a new epoch, so a former leader's late writes fail. Run on
   * the lock's own session (`lock`): a claim delayed past the loss of the lock can then never run after the
   * next leader's, which would lock that leader out of launching.
   */
  async claim(lock: Queryable): Promise<void> {
    const rows = await lock.query<{ epoch: number }>(
      `INSERT INTO loop_leadership (id, epoch) VALUES (1, 1)
       ON CONFLICT (id) DO UPDATE SET epoch = loop_leadership.epoch + 1 RETURNING epoch`,
    );
    this.epoch = rows[0]?.epoch ?? null;
    this.lost = false;
  }

  /** This process lost the leadership it claimed (its lock): `leads` is false until it claims again. */
  markLost(): void {
    this.lost = true;
  }

  /** Whether this process leads, as far as it knows (always, for one that never claimed). */
  get leads(): boolean {
    return !this.lost;
  }

  /**
   * In the caller's transaction: whether no leadership has begun since this process claimed its own. True
   * for a process that never claimed one (a pass run without a runner: tests, benchmarks).
   */
  async holds(tx: Queryable): Promise<boolean> {
    if (this.epoch === null) return true;
    const rows = await tx.query<{ epoch: number }>(
      'SELECT epoch FROM loop_leadership WHERE id = 1 FOR SHARE',
    );
    return rows[0]?.epoch === this.epoch;
  }
}
