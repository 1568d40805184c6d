import { VirtualClock } from '../../src/clock/virtual-clock.js';
import type { Strategy } from '../../src/config/config.js';
import { Ec2World } from '../../src/simulator/ec2/ec2-world.js';
import { SpotPriceTrace } from '../../src/simulator/ec2/spot-price-trace.js';
import { TaskTrace } from '../../src/simulator/load/task-trace.js';
import { DEFAULT_WORKER_SETTINGS } from '../../src/simulator/workers/worker-settings.js';
import { cheapestSteps, type LowerBound, lowerBound } from './lower-bound.js';
import { marketOffers } from './market-offers.js';
import type { ReplayArgs } from './replay-args.js';
import { replayDefinition } from './replay-definition.js';
import { REPLAY_START, runStrategy, type StrategyResult } from './replay-run.js';
import { replayRegions } from './replay-world.js';

/** The data and definition of one replay, read and built once per process. */
export class ReplaySession {
  private constructor(
    readonly args: ReplayArgs,
    readonly prices: SpotPriceTrace,
    readonly trace: TaskTrace,
  ) {}

  static async load(args: ReplayArgs): Promise<ReplaySession> {
    const [prices, trace] = await Promise.all([SpotPriceTrace.load(args.prices), TaskTrace.load(args.trace)]);
    if (trace.length === 0) throw new Error(`${args.trace} holds no task`);
    return new ReplaySession(args, prices, trace);
  }

  /** Trace time replayed: arrivals before it. */
  get durationMs(): number {
    const whole = (this.trace.arrivalMs(this.trace.length - 1) ?? 0) + 1;
    return this.args.hours === undefined ? whole : Math.min(whole, this.args.hours * 3_600_000);
  }

  get definition() {
    const { regions, utilities, maxPrice, maxCapacity, scalingRatio, idleTimeoutMin } = this.args;
    const afterIdleSeconds = idleTimeoutMin === undefined ? undefined : idleTimeoutMin * 60;
    return replayDefinition({ regions, utilities, maxPrice, maxCapacity, scalingRatio, afterIdleSeconds });
  }

  lowerBound(): LowerBound {
    const ec2 = new Ec2World({
      clock: new VirtualClock(REPLAY_START),
      scenario: { regions: replayRegions(this.prices, this.args.regions) },
      priceTrace: this.prices,
    });
    let longest = 0;
    for (let i = 0; i < this.trace.length; i++) longest = Math.max(longest, this.trace.durationMs(i));
    const end = REPLAY_START + this.durationMs + longest;
    const steps = cheapestSteps(marketOffers(ec2, this.definition), REPLAY_START, end);
    return lowerBound(this.trace, steps, REPLAY_START, this.durationMs);
  }

  run(strategy: Strategy): Promise<StrategyResult> {
    const { args } = this;
    return runStrategy({
      strategy,
      seed: args.seed,
      regions: args.regions,
      definition: this.definition,
      prices: this.prices,
      trace: this.trace,
      tracePath: args.trace,
      durationMs: this.durationMs,
      drainMs: args.drainHours * 3_600_000,
      // docker-worker's default; the definition's userData overrides it when --idle-timeout-min is given.
      idleTimeoutMs: DEFAULT_WORKER_SETTINGS.idleTimeoutMs,
      checkIn: args.checkIn,
      ...(args.demandCheckS !== undefined && { env: { DEMAND_CHECK_INTERVAL: String(args.demandCheckS) } }),
    });
  }
}
