/** JSON in and out for the simulator's small control APIs. */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A control request that cannot be served: answered with `status` and `{code, message}`. */
export class ControlRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function replyJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** The request body as a JSON object (`{}` when empty). */
export async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      return parsed as Record<string, unknown>;
    }
  } catch {
    // answered below
  }
  throw new ControlRequestError(400, 'The body must be a JSON object');
}

export type ControlRoute = (req: IncomingMessage, parts: string[], query: URLSearchParams) => unknown;

/**
 * A handler for `<prefix><route>`: `routes` keys are `METHOD first-segment` (e.g. `GET summary`), the
 * segments after the prefix are passed on. Errors become `{code, message}` answers.
 */
export function controlHandler(prefix: string, routes: Record<string, ControlRoute>) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? '/', 'http://simulator.invalid');
    if (!url.pathname.startsWith(prefix)) return false;
    try {
      const parts = url.pathname
        .slice(prefix.length)
        .split('/')
        .filter((part) => part !== '')
        .map((part) => decodeURIComponent(part));
      const route = routes[`${req.method ?? 'GET'} ${parts[0] ?? ''}`];
      if (route === undefined) throw new ControlRequestError(404, `No route ${req.method} ${url.pathname}`);
      replyJson(res, 200, await route(req, parts, url.searchParams));
    } catch (error) {
      const status =
        error instanceof ControlRequestError
          ? error.status
          : error instanceof RangeError || error instanceof URIError
            ? 400
            : 500;
      const message = error instanceof Error ? error.message : String(error);
      replyJson(res, status, { code: status === 500 ? 'InternalError' : 'InvalidRequest', message });
    }
    return true;
  };
}
