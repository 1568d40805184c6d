/**
 * The replay's lower bound: a clairvoyant provisioner with zero boot time and perfect packing runs every
 * task, from its arrival for its duration, on the cheapest allowed spot offer per capacity unit at each
 * moment. Pure, over a step function of that cheapest price.
 */
import type { TaskTrace } from '../../src/simulator/load/task-trace.js';

const HOUR_MS = 3_600_000;

/** A step function: `prices[i]` (USD per capacity-unit hour) holds from `times[i]` until `times[i + 1]`. */
export interface PriceSteps {
  times: number[];
  prices: number[];
}

export interface OfferSeries {
  /** USD per instance hour at a time, the price in force then. */
  priceAt(time: number): number;
  /** Times in [from, to] at which the price changes. */
  changes(from: number, to: number): number[];
  capacity: number;
}

/** The pointwise minimum over the offers' price per capacity unit, over [from, to]. */
export function cheapestSteps(offers: readonly OfferSeries[], from: number, to: number): PriceSteps {
  const times = new Set<number>([from]);
  for (const offer of offers) for (const time of offer.changes(from, to)) if (time > from) times.add(time);
  const sorted = [...times].sort((a, b) => a - b);
  const steps: PriceSteps = { times: [], prices: [] };
  for (const time of sorted) {
    let cheapest = Number.POSITIVE_INFINITY;
    for (const offer of offers) cheapest = Math.min(cheapest, offer.priceAt(time) / offer.capacity);
    if (steps.prices[steps.prices.length - 1] === cheapest) continue;
    steps.times.push(time);
    steps.prices.push(cheapest);
  }
  return steps;
}

/** USD of one capacity unit over [from, to) at the step prices (the first step extends to the left). */
export function stepCost(steps: PriceSteps, from: number, to: number): number {
  let index = lastAtOrBefore(steps.times, from);
  let cost = 0;
  let at = from;
  while (at < to) {
    const price = steps.prices[Math.max(0, index)] ?? 0;
    const next = Math.min(to, steps.times[index + 1] ?? Number.POSITIVE_INFINITY);
    cost += (price * (next - at)) / HOUR_MS;
    at = next;
    index++;
  }
  return cost;
}

export interface LowerBound {
  usd: number;
  taskHours: number;
  tasks: number;
}

/** Σ over the trace's tasks arriving before `untilMs` (trace time) of their run at the cheapest price. */
export function lowerBound(trace: TaskTrace, steps: PriceSteps, origin: number, untilMs: number): LowerBound {
  let usd = 0;
  let busyMs = 0;
  let tasks = 0;
  for (let i = 0; i < trace.length; i++) {
    const arrival = trace.arrivalMs(i);
    if (arrival >= untilMs) break;
    const duration = trace.durationMs(i);
    usd += stepCost(steps, origin + arrival, origin + arrival + duration);
    busyMs += duration;
    tasks++;
  }
  return { usd, taskHours: busyMs / HOUR_MS, tasks };
}

function lastAtOrBefore(times: readonly number[], time: number): number {
  let low = 0;
  let high = times.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((times[middle] ?? 0) <= time) low = middle + 1;
    else high = middle;
  }
  return low - 1;
}
