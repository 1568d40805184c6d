/**
 * A child process of `bench/replay.ts` that replays with one strategy: told the arguments and the strategy
 * over IPC, it answers with the result. Two strategies then use both cores.
 */
import type { Strategy } from '../../src/config/config.js';
import type { ReplayArgs } from './replay-args.js';
import { ReplaySession } from './replay-session.js';

interface Job {
  args: ReplayArgs;
  strategy: Strategy;
}

process.once('message', async (job: Job) => {
  try {
    const session = await ReplaySession.load(job.args);
    const result = await session.run(job.strategy);
    process.send?.({ ok: true, result }, () => process.exit(0));
  } catch (error) {
    process.send?.({ ok: false, error: (error as Error).stack ?? String(error) }, () => process.exit(1));
  }
});
