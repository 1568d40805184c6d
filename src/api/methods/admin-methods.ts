import { ProvisionerError } from '../../errors.js';
import type { AdminService, HistoryRange } from '../../services/admin-service.js';
import type { ApiMethod } from '../api-method.js';
import { isStorableTime } from '../schema-validator.js';

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const DURATION = /^[1-9][0-9]{0,4}[mhd]$/;
const COUNT = /^[1-9][0-9]{0,3}$/;

export const DEFAULT_HISTORY_WINDOW = '6h';
export const DEFAULT_HISTORY_POINTS = 300;
export const MAX_HISTORY_POINTS = 1000;

const UNIT_MS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90m`, `6h`, `7d` in milliseconds (the pattern has been checked). */
export function durationMs(duration: string): number {
  return Number(duration.slice(0, -1)) * (UNIT_MS[duration.slice(-1)] ?? 0);
}

function badArguments(message: string): ProvisionerError {
  return new ProvisionerError('InvalidRequestArguments', message);
}

/** A time the pattern admits; refused when its calendar date does not exist (`Date` would roll 02-31 over). */
function timestamp(name: string, value: string): Date {
  const date = new Date(value);
  const [year, month, day] = value.slice(0, 10).split('-').map(Number);
  const calendar = new Date(Date.UTC(year ?? 0, (month ?? 0) - 1, day ?? 0));
  if (!isStorableTime(value) || calendar.getUTCMonth() + 1 !== month || calendar.getUTCDate() !== day) {
    throw badArguments(`Query string option ${name} is not a valid time: ${value}`);
  }
  return date;
}

/**
 * The window of a history request: `until` (default: the service's now), and `since` or else `until` minus
 * `window`; at most `points` points (default 300, at most 1000).
 */
export function historyRange(query: Readonly<Record<string, string>>, now: Date): HistoryRange {
  const until = query.until === undefined ? now : timestamp('until', query.until);
  const since =
    query.since === undefined
      ? new Date(until.getTime() - durationMs(query.window ?? DEFAULT_HISTORY_WINDOW))
      : timestamp('since', query.since);
  if (since.getTime() >= until.getTime()) throw badArguments('since must be earlier than until');
  const maxPoints = query.points === undefined ? DEFAULT_HISTORY_POINTS : Number(query.points);
  if (maxPoints < 2 || maxPoints > MAX_HISTORY_POINTS) {
    throw badArguments(`points must be from 2 to ${MAX_HISTORY_POINTS}`);
  }
  return { since, until, maxPoints };
}

/**
 * Read-only views for the admin UI, beyond the v1 API. No scopes: they work without signing in. The API
 * reference lists them in this order.
 */
export function adminMethods(admin: AdminService): ApiMethod[] {
  return [adminOverviewMethod(admin), adminWorkerTypeMethod(admin), adminWorkerTypeHistoryMethod(admin)];
}

function adminOverviewMethod(admin: AdminService): ApiMethod {
  return {
    name: 'adminOverview',
    title: 'Admin Overview',
    description:
      'Every worker type (and every removed one whose cleanup is not finished) with its minimum and maximum ' +
      "capacity and the figures of the provisioning loop's latest snapshot of it: pending tasks, running, " +
      'pending and requested capacity, spend per hour, the spot share of its capacity, launch failures and ' +
      "what blocked it (guard rails). Also the loop's health: `backendStatus` and the latest iterations with " +
      'their summaries and errors. Fields the loop has not measured yet are `null`.',
    stability: 'experimental',
    method: 'get',
    route: '/admin/overview',
    handler: async () => ({ status: 200, body: await admin.overview() }),
  };
}

function adminWorkerTypeMethod(admin: AdminService): ApiMethod {
  return {
    name: 'adminWorkerType',
    title: 'Admin Worker Type Details',
    description:
      'What the loop knows of one worker type: its observed instances in every state (newest first, at most ' +
      '2000, with region, zone, type, market, hourly price, state and age), open spot requests, launches not ' +
      'yet visible in EC2, recent launch failures with the codes and messages EC2 gave, how many secrets are ' +
      'issued but not redeemed, the latest snapshot with its decision record, and a pending removal.',
    stability: 'experimental',
    method: 'get',
    route: '/admin/worker-type/<workerType>',
    handler: async ({ params }) => ({
      status: 200,
      body: await admin.workerType(params.workerType as string),
    }),
  };
}

function adminWorkerTypeHistoryMethod(admin: AdminService): ApiMethod {
  return {
    name: 'adminWorkerTypeHistory',
    title: 'Admin Worker Type History',
    description:
      'Pending tasks, capacity, spend and launches of a worker type over time, from the per-iteration ' +
      'snapshots. The window ends at `until` (an ISO 8601 time, default now) and starts at `since`, or else ' +
      '`window` (`30m`, `6h`, `7d`; default `6h`) before `until`. Long windows are aggregated into at most ' +
      '`points` time buckets (default 300, at most 1000): capacities, pending tasks and spend are averaged, ' +
      'launches, launch failures and terminations summed.',
    stability: 'experimental',
    method: 'get',
    route: '/admin/worker-type/<workerType>/history',
    query: { since: TIMESTAMP, until: TIMESTAMP, window: DURATION, points: COUNT },
    handler: async ({ params, query }) => ({
      status: 200,
      body: await admin.history(params.workerType as string, historyRange(query, admin.now())),
    }),
  };
}
