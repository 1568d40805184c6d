/**
 * A small JSON API to steer and inspect the simulated EC2 at run time, under `/simulator/v1/ec2/`:
 *   GET    instances[?region=R]          every known instance
 *   POST   instances/<id>/shutdown       the instance shuts itself down
 *   GET    events[?afterSeq=&limit=&type=] the event log
 *   GET    scenario | time | faults
 *   GET    spot-price?region=&zone=&instanceType=
 *   PUT    spot-price                    {region, zone?, instanceType?, price, durationMs?}
 *   POST   faults/<kind>                 region-down, server-errors, throttling-storm, pool-exhausted,
 *                                        interruption-wave, price-spike (body: the fault's options)
 *   DELETE faults/<id>                   ends a fault early
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Ec2ApiError } from './ec2-api-error.js';
import type { Ec2World } from './ec2-world.js';
import type { WorldEventType } from './event-log.js';

export const EC2_CONTROL_PREFIX = '/simulator/v1/ec2/';

class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Body = Record<string, unknown>;

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, (_key, value: unknown) =>
    value === Number.POSITIVE_INFINITY ? null : value,
  );
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<Body> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Body;
  } catch {
    // answered below
  }
  throw new ControlError(400, 'The body must be a JSON object');
}

function text(body: Body, name: string, required = false): string | undefined {
  const value = body[name];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value === '')
    throw new ControlError(400, `"${name}" must be a non-empty string`);
  return value;
}

function num(body: Body, name: string, required = false): number | undefined {
  const value = body[name];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ControlError(400, `"${name}" must be a non-negative number`);
  }
  return value;
}

/** Copies the listed optional fields that are present. */
function pick<T extends Record<string, unknown>>(entries: Array<[string, unknown]>): T {
  return Object.fromEntries(entries.filter(([, value]) => value !== undefined)) as T;
}

function scope(body: Body) {
  return pick<{ region: string; zone?: string; instanceType?: string }>([
    ['region', text(body, 'region', true)],
    ['zone', text(body, 'zone')],
    ['instanceType', text(body, 'instanceType')],
  ]);
}

function oneOf<T extends string>(body: Body, name: string, allowed: readonly T[]): T | undefined {
  const value = text(body, name);
  if (value !== undefined && !allowed.includes(value as T)) {
    throw new ControlError(400, `"${name}" must be one of ${allowed.join(', ')}`);
  }
  return value as T | undefined;
}

/** Fault kind -> starts it from a JSON body (validated field by field). */
const FAULT_STARTERS: Record<string, (world: Ec2World, body: Body) => unknown> = {
  'region-down': (world, body) =>
    world.faults.regionDown(
      pick([
        ['region', text(body, 'region', true)],
        ['durationMs', num(body, 'durationMs')],
        ['mode', oneOf(body, 'mode', ['unavailable', 'connection-reset'])],
      ]),
    ),
  'server-errors': (world, body) =>
    world.faults.serverErrors(
      pick([
        ['region', text(body, 'region')],
        ['durationMs', num(body, 'durationMs', true)],
        ['probability', num(body, 'probability')],
        ['code', oneOf(body, 'code', ['InternalError', 'Unavailable'])],
      ]),
    ),
  'throttling-storm': (world, body) =>
    world.faults.throttlingStorm(
      pick([
        ['region', text(body, 'region')],
        ['durationMs', num(body, 'durationMs', true)],
        ['probability', num(body, 'probability')],
      ]),
    ),
  'pool-exhausted': (world, body) =>
    world.faults.exhaustPool({
      ...scope(body),
      ...pick([
        ['durationMs', num(body, 'durationMs')],
        ['capacity', num(body, 'capacity')],
      ]),
    }),
  'interruption-wave': (world, body) =>
    world.faults.interruptionWave({
      ...scope(body),
      ...pick([
        ['fraction', num(body, 'fraction')],
        ['noticeMs', num(body, 'noticeMs')],
      ]),
    }),
  'price-spike': (world, body) =>
    world.faults.priceSpike({
      ...scope(body),
      ...pick([
        ['durationMs', num(body, 'durationMs')],
        ['multiplier', num(body, 'multiplier')],
        ['price', num(body, 'price')],
      ]),
    }),
};

interface ControlRequest {
  world: Ec2World;
  req: IncomingMessage;
  /** Path segments after the prefix. */
  parts: string[];
  query: URLSearchParams;
}

interface ControlRoute {
  method: string;
  /** Path segments; `*` matches any one segment. */
  path: string[];
  handle(request: ControlRequest): unknown;
}

const ROUTES: ControlRoute[] = [
  {
    method: 'GET',
    path: ['instances'],
    handle: ({ world, query }) => ({ instances: world.listInstances(query.get('region') ?? undefined) }),
  },
  {
    method: 'POST',
    path: ['instances', '*', 'shutdown'],
    handle: ({ world, parts: [, id = ''] }) => {
      if (!world.shutdownFromInside(id)) throw new ControlError(404, `No live instance ${id}`);
      return { instance: world.instance(id) };
    },
  },
  {
    method: 'GET',
    path: ['events'],
    handle: ({ world, query }) => {
      const type = (query.get('type') ?? undefined) as WorldEventType | undefined;
      const afterSeq = Number(query.get('afterSeq') ?? 0);
      const limit = Number(query.get('limit') ?? 10_000);
      return {
        total: world.events.total,
        events: world.events.list({ afterSeq, limit, ...(type ? { type } : {}) }),
      };
    },
  },
  { method: 'GET', path: ['scenario'], handle: ({ world }) => world.scenario },
  {
    method: 'GET',
    path: ['time'],
    handle: ({ world }) => ({ now: world.clock.now(), startTime: world.startTime }),
  },
  { method: 'GET', path: ['faults'], handle: ({ world }) => ({ faults: world.faults.active() }) },
  {
    method: 'POST',
    path: ['faults', '*'],
    handle: async ({ world, req, parts: [, kind = ''] }) => {
      const start = FAULT_STARTERS[kind];
      if (start === undefined) throw new ControlError(404, `Unknown fault kind ${kind}`);
      return { fault: start(world, await readJson(req)) };
    },
  },
  {
    method: 'DELETE',
    path: ['faults', '*'],
    handle: ({ world, parts: [, id] }) => {
      if (!world.faults.clear(Number(id))) throw new ControlError(404, `No active fault ${id}`);
      return { cleared: Number(id) };
    },
  },
  {
    method: 'GET',
    path: ['spot-price'],
    handle: ({ world, query }) => {
      const params = Object.fromEntries(query) as Body;
      const [region, zone, type] = ['region', 'zone', 'instanceType'].map(
        (name) => text(params, name, true) as string,
      );
      const price = world.spotPrice(region as string, zone as string, type as string);
      if (price === undefined) throw new ControlError(404, 'No such spot price series');
      return { price };
    },
  },
  {
    method: 'PUT',
    path: ['spot-price'],
    handle: async ({ world, req }) => {
      const body = await readJson(req);
      const price = num(body, 'price', true) as number;
      return {
        fault: world.faults.priceSpike({
          ...scope(body),
          price,
          ...pick([['durationMs', num(body, 'durationMs')]]),
        }),
      };
    },
  },
];

function matchRoute(method: string, parts: string[]): ControlRoute | undefined {
  return ROUTES.find(
    (route) =>
      route.method === method &&
      route.path.length === parts.length &&
      route.path.every((segment, i) => segment === '*' || segment === parts[i]),
  );
}

/** Handles requests under `/simulator/v1/ec2/`; false for any other path. */
export function createEc2ControlHandler(
  world: Ec2World,
): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://simulator.invalid');
    if (!url.pathname.startsWith(EC2_CONTROL_PREFIX)) return false;
    const parts = url.pathname
      .slice(EC2_CONTROL_PREFIX.length)
      .split('/')
      .filter((part) => part !== '');
    try {
      const route = matchRoute(req.method ?? 'GET', parts);
      if (route === undefined) {
        throw new ControlError(404, `No control route ${req.method} ${EC2_CONTROL_PREFIX}${parts.join('/')}`);
      }
      reply(res, 200, await route.handle({ world, req, parts, query: url.searchParams }));
    } catch (error) {
      if (error instanceof ControlError)
        reply(res, error.status, { code: 'InvalidRequest', message: error.message });
      else if (error instanceof Ec2ApiError) reply(res, 400, { code: error.code, message: error.message });
      else
        reply(res, 500, {
          code: 'InternalError',
          message: error instanceof Error ? error.message : String(error),
        });
    }
    return true;
  };
}
