import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createEc2ControlHandler } from './ec2-control-api.js';
import { createEc2QueryHandler } from './ec2-query-handler.js';
import type { Ec2World } from './ec2-world.js';

/** A mountable request handler: true when it answered the request, false to let another try. */
export type SimulatorRequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

/** The EC2 Query API at `POST /` plus the JSON control API under `/simulator/v1/ec2/`. */
export function createEc2HttpHandler(world: Ec2World): SimulatorRequestHandler {
  const control = createEc2ControlHandler(world);
  const query = createEc2QueryHandler(world);
  return async (req, res) => (await control(req, res)) || (await query(req, res));
}

export interface RunningSimulator {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Serves the given handlers (first one that answers wins; 404 otherwise) on 127.0.0.1. Port 0 picks
 * a free port.
 */
export async function serveSimulator(
  handlers: readonly SimulatorRequestHandler[],
  options: { port?: number; host?: string } = {},
): Promise<RunningSimulator> {
  const server = createServer((req, res) => {
    void (async () => {
      for (const handler of handlers) if (await handler(req, res)) return;
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 'NotFound', message: `No simulator serves ${req.method} ${req.url}` }));
    })().catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          code: 'InternalError',
          message: error instanceof Error ? error.message : String(error),
        }),
      );
    });
  });
  // Idle keep-alive sockets stay open until the client closes them (or `close`): a client then never
  // reuses a socket the server is closing (ECONNRESET under load), and no real-time timeout decides when a
  // client must reconnect. A reconnection reorders concurrent requests, and the world draws ids and delays
  // in arrival order, so with a 65-s timeout a slow replay and a fast one parted after 46 hours of gecko-t.
  server.keepAliveTimeout = 0;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
