import type { LowerBound } from './lower-bound.js';
import type { StrategyResult } from './replay-run.js';

export interface ReplayReport {
  trace: string;
  replayedHours: number;
  seed: number;
  regions: string[];
  utilities: Record<string, number>;
  maxPrice: number;
  /** Undefined: docker-worker's default. */
  idleTimeoutMin: number | undefined;
  scalingRatio: number;
  checkIn: boolean;
  lowerBound: LowerBound;
  results: StrategyResult[];
}

const TARGET_RATIO = 1.3;
const TARGET_P95_MS = 5 * 60_000;

function duration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(2)} h`;
}

function ratio(a: number, b: number): string {
  return b === 0 ? '-' : `${(a / b).toFixed(2)}x`;
}

/** The figures compared per strategy; the last column is the first strategy over the second. */
function rows(report: ReplayReport) {
  const bound = report.lowerBound;
  const cheapestPerHour = bound.taskHours === 0 ? 0 : bound.usd / bound.taskHours;
  const figures: Array<[string, (r: StrategyResult) => number, (v: number) => string]> = [
    ['total cost', (r) => r.costUsd, (v) => `$${v.toFixed(2)}`],
    ['cost ÷ lower bound', (r) => r.costUsd / bound.usd, (v) => `${v.toFixed(2)}x`],
    ['  price paid ÷ cheapest', (r) => r.costUsd / r.slotHours / cheapestPerHour, (v) => `${v.toFixed(2)}x`],
    ['  paid slot-hours ÷ task-hours', (r) => r.slotHours / bound.taskHours, (v) => `${v.toFixed(2)}x`],
    ['task wait p50', (r) => r.wait.p50Ms, duration],
    ['task wait p95', (r) => r.wait.p95Ms, duration],
    ['task wait p99', (r) => r.wait.p99Ms, duration],
    ['task wait max', (r) => r.wait.maxMs, duration],
    ['idle fraction', (r) => r.idleFraction, (v) => `${(v * 100).toFixed(1)} %`],
    ['instances launched', (r) => r.instancesLaunched, String],
    ['interruptions', (r) => r.interruptions, String],
    ['workers checked in', (r) => r.checkIns?.recorded ?? 0, String],
    ['tasks re-run', (r) => r.tasks.requeued, String],
    ['EC2 calls', (r) => r.ec2.total.calls, String],
    ['EC2 throttles', (r) => r.ec2.total.throttled, String],
    ['demand check every', (r) => r.demandCheckMs ?? 0, (v) => (v === 0 ? 'off' : duration(v))],
    ['iterations', (r) => r.iterations, String],
    ['  started early on demand', (r) => r.earlyIterations ?? 0, String],
    ['wall time', (r) => r.wall.totalMs, duration],
    ['CPU time', (r) => r.wall.cpuUserMs + r.wall.cpuSystemMs, duration],
    ['pass wall mean', (r) => r.wall.passMeanMs, (v) => `${v.toFixed(0)} ms`],
    ['pass wall p95', (r) => r.wall.passP95Ms, (v) => `${v.toFixed(0)} ms`],
    ['peak RSS', (r) => r.wall.peakRssMiB ?? 0, (v) => `${v.toFixed(0)} MiB`],
  ];
  return figures;
}

function table(report: ReplayReport): string {
  const { results } = report;
  const header = ['', ...results.map((r) => r.strategy), ...(results.length === 2 ? ['ratio'] : [])];
  const lines = rows(report).map(([name, value, format]) => {
    const values = results.map(value);
    const cells = [name, ...values.map(format)];
    if (values.length === 2) cells.push(ratio(values[0] ?? 0, values[1] ?? 0));
    return cells;
  });
  const all = [header, ...lines];
  const widths = header.map((_, i) => Math.max(...all.map((cells) => (cells[i] ?? '').length)));
  return all
    .map((cells) =>
      cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  '),
    )
    .join('\n');
}

/** Strategies within 2% of each other tie: no claim of a win on a margin the seed alone might move (not measured). */
const TIE_MARGIN = 0.02;

export function versus(ours: number, theirs: number): string {
  if (ours <= theirs * (1 - TIE_MARGIN)) return 'met   ';
  return ours < theirs * (1 + TIE_MARGIN) ? 'TIE   ' : 'MISSED';
}

function verdicts(report: ReplayReport): string[] {
  const bound = report.lowerBound.usd;
  const byName = new Map(report.results.map((r) => [r.strategy, r]));
  const ours = byName.get('default');
  const classic = byName.get('classic');
  if (ours === undefined) return [];
  const mark = (ok: boolean) => (ok ? 'met   ' : 'MISSED');
  const lines = [];
  if (classic !== undefined) {
    lines.push(
      `${versus(ours.costUsd, classic.costUsd)} default cheaper than classic (${ratio(ours.costUsd, classic.costUsd)})`,
    );
    lines.push(
      `${versus(ours.wait.p95Ms, classic.wait.p95Ms)} default p95 wait below classic's (${ratio(ours.wait.p95Ms, classic.wait.p95Ms)})`,
    );
  }
  lines.push(
    `${mark(ours.costUsd <= TARGET_RATIO * bound)} default cost within ${TARGET_RATIO}x of the lower bound (${ratio(ours.costUsd, bound)})`,
  );
  lines.push(
    `${mark(ours.wait.p95Ms < TARGET_P95_MS)} default p95 wait under 5 min (${duration(ours.wait.p95Ms)})`,
  );
  return lines;
}

function decisions(result: StrategyResult): string {
  const d = result.decisions;
  const json = (value: unknown) => JSON.stringify(value);
  return [
    `[${result.strategy}] iterations ${json(d.outcomes)}; launches planned ${d.plannedLaunches} in ${d.iterationsWithLaunches} iterations (max ${d.maxLaunchesPerIteration}), mean price/utility $${d.meanPlannedPricePerUtility.toFixed(4)}`,
    `  launch results ${json(d.launchResults)}`,
    `  by type ${json(d.launchesByType)}; by region ${json(d.launchesByRegion)}`,
    `  unmet (iterations per reason) ${json(d.unmetReasons)}, ${d.unmetCapacity} units in all; guard rails ${json(d.guardRails)}`,
    `  terminations ${json(d.terminations)}; EC2 by action ${json(Object.fromEntries(Object.entries(result.ec2.byAction).map(([k, v]) => [k, `${v.calls}/${v.throttled}t/${v.failed}f`])))}`,
    `  errors ${d.errors}${d.errorSamples.length > 0 ? `: ${d.errorSamples.join(' | ')}` : ''}`,
  ].join('\n');
}

export function formatReport(report: ReplayReport): string {
  const bound = report.lowerBound;
  return [
    `Trace ${report.trace}: ${report.replayedHours.toFixed(1)} h, ${bound.tasks} tasks, ${bound.taskHours.toFixed(0)} task-hours; regions ${report.regions.join(', ')}; seed ${report.seed}; worker idle timeout ${idleTimeout(report.idleTimeoutMin)}; scalingRatio ${report.scalingRatio}; check-ins ${report.checkIn ? 'on' : 'off'}`,
    `Lower bound $${bound.usd.toFixed(2)} (mean cheapest allowed spot price $${(bound.usd / Math.max(1e-9, bound.taskHours)).toFixed(4)} per capacity-unit hour)`,
    '',
    table(report),
    '',
    ...verdicts(report),
    '',
    ...report.results.map(decisions),
  ].join('\n');
}

function idleTimeout(minutes: number | undefined): string {
  if (minutes === undefined) return "15 min (docker-worker's default)";
  return `${minutes} min (worker type userData shutdown.afterIdleSeconds ${minutes * 60})`;
}
