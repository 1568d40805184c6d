import type { FastifyInstance } from 'fastify';

/** Starts listening; resolves to the base URL. The only place the HTTP app binds a port. */
export async function listen(app: FastifyInstance, port: number, host = '0.0.0.0'): Promise<string> {
  await app.listen({ port, host });
  const address = app.server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return localUrl(host, bound);
}

/** The URL a client on this machine reaches `host:port` at (localhost for every interface). */
export function localUrl(host: string, port: number | string): string {
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${port}`;
}

/** Runs `shutdown` once on SIGINT/SIGTERM, then exits. */
export function onShutdown(shutdown: () => Promise<void>): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    shutdown()
      .then(() => process.exit(0))
      .catch((error) => {
        console.error(`shutdown after ${signal} failed:`, error);
        process.exit(1);
      });
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}
