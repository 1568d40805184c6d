import type { FastifyInstance } from 'fastify';
import type { Metrics } from './metrics.js';

export const METRICS_PATH = '/metrics';

/** The route label of requests that matched no route (404s): raw URLs are unbounded and carry tokens. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Records every request (method, route template, status, duration) and serves the exposition at
 * `GET /metrics`. Call it on the root instance (buildApp's `plugins` do); registered through
 * `app.register` it also reaches every route, as Fastify's skip-override marks it as not encapsulated.
 */
export function metricsPlugin(metrics: Metrics): (app: FastifyInstance) => void {
  const plugin = (app: FastifyInstance): void => {
    app.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
      metrics.observeHttp(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    });
    app.get(METRICS_PATH, async (_request, reply) => {
      const text = await metrics.registry.metrics();
      return reply.type(metrics.registry.contentType).send(text);
    });
  };
  // What fastify-plugin does: without it, `app.register` would confine the hook to this plugin's routes.
  return Object.assign(plugin, { [Symbol.for('skip-override')]: true });
}
