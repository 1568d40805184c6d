import { Random } from '../random.js';

export interface PricePoint {
  /** Epoch ms (world time). */
  time: number;
  /** USD per hour. */
  price: number;
}

/** One spot price series (a zone x instance type). */
export interface SpotPriceSeries {
  priceAt(time: number): number;
  /** Points in [from, to], preceded by the point in effect at `from` (whose time may be earlier). */
  history(from: number, to: number): PricePoint[];
}

export interface PriceWalkParameters {
  /** The long-run mean price, USD per hour. */
  mean: number;
  /** Prices never exceed this (the on-demand price). */
  ceiling: number;
  stepMs: number;
  volatility: number;
  reversion: number;
  changeProbability: number;
}

/** Spot prices are quoted with four significant digits (e.g. 0.03134, 0.001600). */
export function roundSpotPrice(price: number): number {
  return Number(price.toPrecision(4));
}

/** EC2 stamps price changes to the second. */
function wholeSecond(time: number): number {
  return Math.floor(time / 1000) * 1000;
}

/** Index of the last point with time <= `time`, or -1. */
export function lastPointAtOrBefore(points: readonly PricePoint[], time: number): number {
  let low = 0;
  let high = points.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((points[middle]?.time ?? 0) <= time) low = middle + 1;
    else high = middle;
  }
  return low - 1;
}

/** Shared `history` over sorted points. */
export function windowOf(points: readonly PricePoint[], from: number, to: number): PricePoint[] {
  const first = Math.max(0, lastPointAtOrBefore(points, from));
  const out: PricePoint[] = [];
  for (let i = first; i < points.length; i++) {
    const point = points[i];
    if (point === undefined || point.time > to) break;
    out.push(point);
  }
  return out;
}

/**
 * A seeded, lazily generated mean-reverting walk of the log price, in discrete jumps at irregular times.
 * Its own random stream makes its values independent of when and how often it is read.
 */
export class ModelPriceSeries implements SpotPriceSeries {
  private readonly random: Random;
  private readonly points: PricePoint[] = [];
  private deviation: number;
  private nextStepStart: number;
  private pending: PricePoint;

  constructor(
    private readonly params: PriceWalkParameters,
    seed: number | string,
    start: number,
  ) {
    this.random = new Random(seed);
    const spread = params.volatility / Math.sqrt(Math.max(1e-6, 2 * params.reversion));
    this.deviation = this.random.normal() * spread;
    // The first price has been in effect for a while before the world starts.
    this.points.push({
      time: wholeSecond(start - this.random.between(0, 3 * params.stepMs)),
      price: this.price(),
    });
    this.nextStepStart = start;
    this.pending = this.step();
  }

  priceAt(time: number): number {
    this.generateUntil(time);
    const index = lastPointAtOrBefore(this.points, time);
    return (this.points[Math.max(0, index)] as PricePoint).price;
  }

  history(from: number, to: number): PricePoint[] {
    this.generateUntil(to);
    return windowOf(this.points, from, to);
  }

  private generateUntil(time: number): void {
    while (this.pending.time <= time) {
      const last = this.points[this.points.length - 1];
      if (last === undefined || last.price !== this.pending.price) this.points.push(this.pending);
      this.pending = this.step();
    }
  }

  private step(): PricePoint {
    const { stepMs, reversion, volatility, changeProbability } = this.params;
    const time = wholeSecond(this.nextStepStart + this.random.between(0, stepMs));
    this.nextStepStart += stepMs;
    if (this.random.chance(changeProbability)) {
      this.deviation = this.deviation * (1 - reversion) + volatility * this.random.normal();
    }
    return { time, price: this.price() };
  }

  private price(): number {
    const { mean, ceiling } = this.params;
    return roundSpotPrice(Math.min(ceiling, Math.max(mean * 0.2, mean * Math.exp(this.deviation))));
  }
}

/** A recorded series (e.g. from a SpotLake trace), its points already in world time. */
export class RecordedPriceSeries implements SpotPriceSeries {
  constructor(private readonly points: readonly PricePoint[]) {
    if (points.length === 0) throw new Error('RecordedPriceSeries needs at least one point');
  }

  priceAt(time: number): number {
    const index = lastPointAtOrBefore(this.points, time);
    return (this.points[Math.max(0, index)] as PricePoint).price;
  }

  history(from: number, to: number): PricePoint[] {
    return windowOf(this.points, from, to);
  }
}
