import { describe, expect, it } from 'vitest';
import { readDemand } from '../../src/provisioner/read-demand.js';
import type { QueuePort } from '../../src/queue/queue-port.js';

const names = (count: number) => Array.from({ length: count }, (_, i) => `wt-${i}`);

/** A queue that answers `answer(workerType)`, counting questions. */
function queueOf(answer: (workerType: string) => Promise<number>) {
  const asked: string[] = [];
  const queue: QueuePort = {
    pendingTasks: (_provisionerId, workerType) => {
      asked.push(workerType);
      return answer(workerType);
    },
  };
  return { queue, asked };
}

describe('readDemand', () => {
  it('asks every worker type; one failure is that worker type’s only', async () => {
    const { queue } = queueOf(async (wt) => {
      if (wt === 'wt-1') throw new Error('queue answered 500');
      return Number(wt.slice(3)) * 2;
    });
    const answered: string[] = [];
    const onAnswered = (workerType: string) => answered.push(workerType);
    const demand = await readDemand(queue, 'p', names(3), { concurrency: 2, onAnswered });
    expect(Object.fromEntries(demand)).toEqual({
      'wt-0': 0,
      'wt-1': { error: 'queue answered 500' },
      'wt-2': 4,
    });
    expect(answered.sort()).toEqual(['wt-0', 'wt-2']);
  });

  it('stops asking a queue that failed many times in a row, and says so for the rest', async () => {
    const { queue, asked } = queueOf(async () => {
      throw new Error('timed out after 10000 ms');
    });
    const demand = await readDemand(queue, 'p', names(100), { concurrency: 4, giveUpAfter: 4 });
    expect(asked.length).toBeLessThanOrEqual(4 + 3);
    expect(demand.size).toBe(100);
    expect(demand.get('wt-99')).toEqual({
      error: 'not asked: the queue failed 4 times in a row (timed out after 10000 ms)',
    });
  });

  it("does not count one worker type's refusal (400, 404) as the queue failing, but counts the rest", async () => {
    const refused = (statusCode: number) =>
      Object.assign(new Error(`answered ${statusCode}`), { statusCode });
    const { queue, asked } = queueOf(async (wt) => {
      throw refused(Number(wt.slice(3)) < 10 ? 404 : 400);
    });
    const demand = await readDemand(queue, 'p', names(20), { concurrency: 1, giveUpAfter: 3 });
    expect(asked).toHaveLength(20);
    expect(demand.get('wt-19')).toEqual({ error: 'answered 400' });
    for (const statusCode of [401, 403, 408, 429, 503]) {
      const down = queueOf(async () => {
        throw refused(statusCode);
      });
      await readDemand(down.queue, 'p', names(20), { concurrency: 1, giveUpAfter: 3 });
      expect(down.asked).toHaveLength(3);
    }
  });

  it('keeps asking a queue whose failures are interrupted by answers', async () => {
    const { queue, asked } = queueOf(async (wt) => {
      if (Number(wt.slice(3)) % 3 !== 0) throw new Error('500');
      return 1;
    });
    const demand = await readDemand(queue, 'p', names(30), { concurrency: 1, giveUpAfter: 3 });
    expect(asked).toHaveLength(30);
    expect(demand.get('wt-27')).toBe(1);
  });

  it('ends questions in flight when its signal aborts, and asks no more', async () => {
    const { queue, asked } = queueOf(() => new Promise<number>(() => {}));
    const stop = new AbortController();
    const reading = readDemand(queue, 'p', names(20), { concurrency: 2, signal: stop.signal });
    setTimeout(() => stop.abort(new Error('the iteration ran longer than 900000 ms')), 20);
    const demand = await reading;
    expect(asked).toHaveLength(2);
    expect(demand.get('wt-0')).toEqual({ error: 'not answered: the iteration ran longer than 900000 ms' });
    expect(demand.get('wt-19')).toEqual({ error: 'not asked: the iteration ran longer than 900000 ms' });
  });
});
