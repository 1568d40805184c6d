import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { Metrics } from '../../src/metrics/metrics.js';
import { METRICS_PATH, metricsPlugin, UNMATCHED_ROUTE } from '../../src/metrics/metrics-plugin.js';
import { samplesOf, sampleValue } from './exposition.js';

const REQUESTS = 'aws_provisioner_http_requests_total';
const SECRET_ID = 'plantedTokenXyz123';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** A tiny app shaped like buildApp: routes first, then plugins called on the root instance. */
async function tinyApp(metrics: Metrics, useRegister: boolean): Promise<FastifyInstance> {
  const instance = Fastify();
  instance.get<{ Params: { id: string } }>('/x/:id', async (request, reply) =>
    request.params.id === 'missing' ? reply.code(404).send({}) : { id: request.params.id },
  );
  if (useRegister) await instance.register(metricsPlugin(metrics));
  else metricsPlugin(metrics)(instance);
  await instance.ready();
  return instance;
}

describe('metricsPlugin', () => {
  it.each([
    ['called on the root instance', false],
    ['registered with app.register', true],
  ])('records requests by route template, never the raw URL, when %s', async (_how, useRegister) => {
    const metrics = new Metrics({ defaultMetrics: false });
    app = await tinyApp(metrics, useRegister);

    expect((await app.inject({ method: 'GET', url: `/x/${SECRET_ID}?bewit=abc` })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/x/other' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/x/missing' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: `/nowhere/${SECRET_ID}` })).statusCode).toBe(404);

    const scrape = await app.inject({ method: 'GET', url: METRICS_PATH });
    expect(scrape.statusCode).toBe(200);
    expect(scrape.headers['content-type']).toBe(metrics.registry.contentType);
    expect(scrape.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);

    const text = scrape.body;
    expect(sampleValue(text, REQUESTS, { method: 'GET', route: '/x/:id', status_code: '200' })).toBe(2);
    expect(sampleValue(text, REQUESTS, { method: 'GET', route: '/x/:id', status_code: '404' })).toBe(1);
    expect(sampleValue(text, REQUESTS, { method: 'GET', route: UNMATCHED_ROUTE, status_code: '404' })).toBe(
      1,
    );
    expect(
      samplesOf(text, 'aws_provisioner_http_request_duration_seconds_count', { route: '/x/:id' }),
    ).toHaveLength(1);
    expect(text).not.toContain(SECRET_ID);
    expect(text).not.toContain('bewit');
  });

  it('counts its own scrapes under the /metrics route', async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    app = await tinyApp(metrics, false);
    await app.inject({ method: 'GET', url: METRICS_PATH });

    const text = (await app.inject({ method: 'GET', url: METRICS_PATH })).body;
    expect(sampleValue(text, REQUESTS, { method: 'GET', route: METRICS_PATH, status_code: '200' })).toBe(1);
  });
});
