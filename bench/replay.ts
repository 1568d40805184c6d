/**
 * The trace-replay benchmark (issue 4, item 6): replays a task trace for one worker type through the
 * product's own loop, planner and gateway in virtual time against the simulated world, with SpotLake
 * prices, once per strategy, and compares them with a clairvoyant lower bound.
 * `npx tsx bench/replay.ts --trace FILE [--prices FILE] [--hours H] [--out DIR] [--seed S] ...`
 */
import { fork } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Strategy } from '../src/config/config.js';
import { argsOrUsage } from './command-line.js';
import { demandPlot } from './replay/demand-plot.js';
import { parseReplayArgs, REPLAY_USAGE, type ReplayArgs } from './replay/replay-args.js';
import { formatReport, type ReplayReport } from './replay/replay-report.js';
import type { StrategyResult } from './replay/replay-run.js';
import { ReplaySession } from './replay/replay-session.js';

function inChild(args: ReplayArgs, strategy: Strategy): Promise<StrategyResult> {
  const child = fork(new URL('./replay/strategy-child.ts', import.meta.url), [], {
    execArgv: process.execArgv,
  });
  return new Promise((resolve, reject) => {
    child.once('message', (message: { ok: boolean; result?: StrategyResult; error?: string }) => {
      if (message.ok && message.result) resolve(message.result);
      else reject(new Error(`The ${strategy} replay failed: ${message.error}`));
    });
    child.once('exit', (code) => reject(new Error(`The ${strategy} replay exited with ${code}`)));
    child.send({ args, strategy });
  });
}

async function main(): Promise<void> {
  const args = argsOrUsage(REPLAY_USAGE, parseReplayArgs);
  if (args === undefined) return;
  const started = performance.now();
  const session = await ReplaySession.load(args);
  const bound = session.lowerBound();
  const results = args.parallel
    ? await Promise.all(args.strategies.map((strategy) => inChild(args, strategy)))
    : await runSerially(session, args.strategies);
  const report: ReplayReport = {
    trace: basename(args.trace),
    replayedHours: session.durationMs / 3_600_000,
    seed: args.seed,
    regions: args.regions,
    utilities: args.utilities,
    maxPrice: args.maxPrice,
    idleTimeoutMin: args.idleTimeoutMin,
    scalingRatio: args.scalingRatio,
    checkIn: args.checkIn,
    lowerBound: bound,
    results,
  };
  console.log(formatReport(report));
  const name = basename(args.trace).replace(/\.[^.]*$/, '');
  await mkdir(args.out, { recursive: true });
  const ratios = report.results.map((r) => ({ ...r, costOverLowerBound: r.costUsd / bound.usd }));
  await writeFile(
    join(args.out, `replay-${name}.json`),
    `${JSON.stringify({ ...report, results: ratios })}\n`,
  );
  const series = results.map((r) => ({ title: `${name}: ${r.strategy} strategy`, points: r.timeline }));
  await writeFile(join(args.out, `replay-${name}.svg`), demandPlot(`Demand vs capacity, ${name}`, series));
  const wall = (performance.now() - started) / 1000;
  console.log(
    `\nWrote ${join(args.out, `replay-${name}.json`)} and .svg; whole run ${wall.toFixed(1)} s wall`,
  );
}

async function runSerially(
  session: ReplaySession,
  strategies: readonly Strategy[],
): Promise<StrategyResult[]> {
  const results: StrategyResult[] = [];
  for (const strategy of strategies) results.push(await session.run(strategy));
  return results;
}

await main();
