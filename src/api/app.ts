import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  LogController,
} from 'fastify';
import type { Clock } from '../clock/clock.js';
import { ProvisionerError } from '../errors.js';
import { type Logger, redactUrl } from '../log/logger.js';
import type { ApiMethod } from './api-method.js';
import { errorReply } from './error-reply.js';
import { apiReference } from './reference.js';
import { type Authenticator, registerMethods } from './register-methods.js';
import { SchemaValidator } from './schema-validator.js';
import { isSchemaName, schemaDocument } from './schemas/schemas.js';

export interface AppDeps {
  methods: readonly ApiMethod[];
  authenticator: Authenticator;
  clock: Clock;
  logger: Logger;
  trustProxy: boolean;
  /** Extra JSON documents to serve at fixed paths (e.g. the exchanges reference). */
  documents?: Readonly<Record<string, unknown>>;
  /** Further routes (admin UI, metrics), registered after the API. */
  plugins?: readonly ((app: FastifyInstance) => void | Promise<void>)[];
}

/** Taskcluster's CORS and caching headers, on every response (spec §A.4). */
const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-max-age': '900',
  'access-control-allow-methods': 'OPTIONS,GET,HEAD,POST,PUT,DELETE,TRACE,CONNECT',
  'access-control-request-method': '*',
  'access-control-allow-headers': 'X-Requested-With,Content-Type,Authorization,Accept,Origin',
  'cache-control': 'no-store no-cache must-revalidate',
};

const BODY_LIMIT = 10 * 1024 * 1024;

/** The HTTP application: builds and wires routes, never listens (see `src/server.ts`). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // Requests are logged once, by the onResponse hook below, with tokens masked.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: deps.trustProxy,
    bodyLimit: BODY_LIMIT,
    // Over-long parameters reach the pipeline (a 400 naming them) instead of becoming a 404.
    routerOptions: { maxParamLength: 1000 },
    // Errors of the router itself, in Taskcluster's shape, never echoing the URL (it may hold a token).
    frameworkErrors: (error, request, reply) => {
      const message =
        error.code === 'FST_ERR_MAX_PARAM_LENGTH'
          ? 'Bad request: a URL parameter is longer than 1000 characters'
          : 'Bad request: the URL is not valid (bad percent-encoding?)';
      const failure = errorReply(new ProvisionerError('InvalidRequestArguments', message), {
        method: request.routeOptions.url ?? 'unknown',
        params: {},
        payload: {},
        time: new Date(deps.clock.now()),
      });
      return (reply as FastifyReply).code(failure.status).send(failure.body);
    },
  });
  addHooksAndParser(app, deps);
  addErrorHandlers(app, deps);
  app.options('/*', async (_request, reply) => reply.code(200).send());

  const validator = new SchemaValidator();
  registerMethods(app, deps.methods, { ...deps, validator });
  addDocumentRoutes(app, deps.methods, deps.documents ?? {});

  for (const plugin of deps.plugins ?? []) await plugin(app);
  return app;
}

function addHooksAndParser(app: FastifyInstance, deps: Pick<AppDeps, 'logger'>): void {
  app.addHook('onRequest', async (_request, reply) => {
    reply.headers(CORS_HEADERS);
  });
  app.addHook('onResponse', async (request, reply) => {
    deps.logger.info({
      event: 'http.request',
      method: request.method,
      url: redactUrl(request.raw.url ?? request.url),
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
    });
  });

  // Bodies reach the pipeline as text, so parse errors become Taskcluster's MalformedPayload.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_request, body, done) => {
    done(null, body);
  });
}

/** Errors outside the method pipeline, and unknown routes, answered in Taskcluster's error format. */
function addErrorHandlers(app: FastifyInstance, deps: Pick<AppDeps, 'clock' | 'logger'>): void {
  app.setErrorHandler((error: Error & { code?: string; statusCode?: number }, request, reply) => {
    const failure = errorReply(frameworkError(error), {
      method: request.routeOptions.url ?? 'unknown',
      params: {},
      payload: {},
      time: new Date(deps.clock.now()),
    });
    if (failure.incidentId) {
      deps.logger.error({ event: 'http.internal-error', incidentId: failure.incidentId, err: error });
    }
    return reply.code(failure.status).send(failure.body);
  });
  app.setNotFoundHandler((request, reply) => {
    const failure = errorReply(
      new ProvisionerError('ResourceNotFound', `No such route: ${request.method} ${redactUrl(request.url)}`),
      { method: 'unknown', params: {}, payload: {}, time: new Date(deps.clock.now()) },
    );
    return reply.code(failure.status).send(failure.body);
  });
}

/** The API reference, the extra documents and the JSON schemas. */
function addDocumentRoutes(
  app: FastifyInstance,
  methods: readonly ApiMethod[],
  documents: Readonly<Record<string, unknown>>,
): void {
  const reference = apiReference(methods);
  for (const path of [
    '/api/aws-provisioner/v1/api-reference',
    '/v1/api-reference',
    '/references/aws-provisioner/v1/api.json',
  ]) {
    app.get(path, async () => reference);
  }
  for (const [path, document] of Object.entries(documents)) app.get(path, async () => document);
  app.get<{ Params: { file: string } }>('/schemas/aws-provisioner/v1/:file', async (request, reply) => {
    const name = request.params.file.replace(/\.json$/, '');
    if (!isSchemaName(name))
      throw new ProvisionerError('ResourceNotFound', `No schema named ${request.params.file}`);
    return reply.send(schemaDocument(name));
  });
}

/** Errors Fastify raises before a handler runs, in the service's vocabulary. */
function frameworkError(error: Error & { code?: string; statusCode?: number }): unknown {
  if (error instanceof ProvisionerError) return error;
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ProvisionerError('InputTooLarge', `The request body is larger than ${BODY_LIMIT} bytes`);
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ProvisionerError('InvalidRequestArguments', `Bad request: ${error.message}`);
    default:
      if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
        return new ProvisionerError('InputError', error.message);
      }
      return error;
  }
}
