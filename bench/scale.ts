/**
 * The scale benchmark (issue 4, item 7): N worker types, R regions and M instances already in the
 * simulated EC2 (in a process of its own); a few iterations of the real loop, each measured: wall time, CPU
 * time, peak memory, EC2 calls in all and per region. Then the same fleet with fewer worker types, to show
 * that the calls per region do not grow with the number of worker types.
 * `npx tsx bench/scale.ts [--worker-types 1000] [--regions 10] [--instances 50000] [--iterations 3] [--compare 10,100]`
 * `--profile` writes a CPU profile of each measured iteration (`<out>/scale.iteration-N.cpuprofile`); read
 * it with `npx tsx bench/cpu-profile-summary.ts FILE` or Chrome's DevTools.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { argsOrUsage } from './command-line.js';
import { openPglite, openPostgres } from './scale/scale-database.js';
import { SCALE_REGIONS } from './scale/scale-fleet.js';
import { type OpenedDatabase, runScale, type ScaleConfig, type ScaleResult } from './scale/scale-run.js';

const SCALE_USAGE = `npx tsx bench/scale.ts [options]
  --worker-types N   worker types in the fleet (default 1000)
  --regions R        regions, at most ${SCALE_REGIONS.length} (default 10)
  --instances M      instances already running in the simulated EC2 (default 50000)
  --iterations K     iterations of the loop measured (default 3)
  --compare A,B      then the same fleet with A, B worker types, two iterations each (default 10,100)
  --out DIR          scale.json goes here (default bench-results)
  --profile          a CPU profile of each measured iteration (<out>/scale.iteration-N.cpuprofile)
DATABASE_URL set: PostgreSQL instead of PGlite in memory.`;

function positive(name: string, raw: string | undefined, fallback: number): number {
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`--${name} must be a positive integer`);
  return value;
}

let printedRuns = 0;

function printIterations(result: ScaleResult): void {
  const { config } = result;
  console.log(
    `\n${config.workerTypes} worker types, ${config.regions.length} regions, ${config.instances} instances; ${result.database}; setup ${(result.setupMs / 1000).toFixed(1)} s`,
  );
  // maxRSS is the process's peak since it started: a comparison run after the main one inherits its peak.
  console.log(
    'iter  outcome   wall ms   CPU ms  peak RSS MiB  heap MiB  EC2 calls  per region (min-max)  launches  db calls  queue calls',
  );
  if (printedRuns++ > 0)
    console.log('      (peak RSS: the whole process so far, this run and the runs before it)');
  for (const it of result.iterations) {
    const perRegion = Object.values(it.callsByRegion);
    console.log(
      [
        String(it.iteration).padStart(4),
        it.outcome.padEnd(8),
        it.wallMs.toFixed(0).padStart(8),
        it.cpuMs.toFixed(0).padStart(8),
        it.peakRssMiB.toFixed(0).padStart(13),
        it.heapUsedMiB.toFixed(0).padStart(9),
        String(it.ec2Calls).padStart(10),
        `${Math.min(...perRegion)}-${Math.max(...perRegion)}`.padStart(21),
        String(it.launches).padStart(9),
        String(it.databaseCalls).padStart(9),
        String(it.queueCalls).padStart(12),
      ].join(' '),
    );
    console.log(`      by action ${JSON.stringify(it.callsByAction)}`);
  }
}

function printComparison(results: readonly ScaleResult[]): void {
  console.log('\nEC2 calls per region per iteration (mean over regions), by number of worker types:');
  console.log(
    '  all = every call; describe = Describe* only (launches follow demand, the same in every run)',
  );
  const iterations = Math.min(...results.map((r) => r.iterations.length));
  const heads = Array.from({ length: iterations }, (_, i) => `iter ${i + 1} all/describe`.padStart(22));
  console.log(`worker types${heads.join('')}`);
  for (const result of [...results].sort((a, b) => a.config.workerTypes - b.config.workerTypes)) {
    const regions = result.config.regions.length;
    const cells = result.iterations.slice(0, iterations).map((it) => {
      const describes = Object.entries(it.callsByAction)
        .filter(([action]) => action.startsWith('Describe'))
        .reduce((sum, [, calls]) => sum + calls, 0);
      return `${(it.ec2Calls / regions).toFixed(1)}/${(describes / regions).toFixed(1)}`.padStart(22);
    });
    console.log(`${String(result.config.workerTypes).padStart(12)}${cells.join('')}`);
  }
}

interface ScaleArgs {
  base: ScaleConfig;
  out: string;
  profile: boolean;
  compare: number[];
}

function parseScaleArgs(argv: string[]): ScaleArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      'worker-types': { type: 'string' },
      regions: { type: 'string' },
      instances: { type: 'string' },
      iterations: { type: 'string' },
      compare: { type: 'string' },
      out: { type: 'string' },
      profile: { type: 'boolean' },
    },
  });
  const regionCount = positive('regions', values.regions, 10);
  if (regionCount > SCALE_REGIONS.length)
    throw new RangeError(`--regions is at most ${SCALE_REGIONS.length}`);
  return {
    base: {
      workerTypes: positive('worker-types', values['worker-types'], 1000),
      regions: SCALE_REGIONS.slice(0, regionCount),
      instances: positive('instances', values.instances, 50_000),
      iterations: positive('iterations', values.iterations, 3),
    },
    out: values.out ?? 'bench-results',
    profile: values.profile ?? false,
    compare: (values.compare ?? '10,100')
      .split(',')
      .filter((v) => v !== '')
      .map((v) => positive('compare', v, 0)),
  };
}

async function main(): Promise<void> {
  const args = argsOrUsage(SCALE_USAGE, parseScaleArgs);
  if (args === undefined) return;
  const { base, out, compare } = args;
  await mkdir(out, { recursive: true });
  if (args.profile) base.profilePath = join(out, 'scale');
  const url = process.env.DATABASE_URL;
  const open: () => Promise<OpenedDatabase> = url ? () => openPostgres(url) : openPglite;
  const main = await runScale(base, open);
  printIterations(main);
  const results = [main];
  for (const workerTypes of compare.filter((n) => n !== base.workerTypes)) {
    const { profilePath: _profile, ...rest } = base;
    const result = await runScale({ ...rest, workerTypes, iterations: Math.min(2, base.iterations) }, open);
    printIterations(result);
    results.push(result);
  }
  printComparison(results);
  await writeFile(join(out, 'scale.json'), `${JSON.stringify(results, null, 1)}\n`);
  console.log(`\nWrote ${join(out, 'scale.json')}`);
}

await main();
