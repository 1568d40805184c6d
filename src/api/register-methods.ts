import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../clock/clock.js';
import { ProvisionerError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import {
  type ApiMethod,
  type Caller,
  type MethodContext,
  type MethodReply,
  PARAM_PATTERNS,
  routeParams,
} from './api-method.js';
import type { AuthRequest, AuthResult } from './auth/hawk-authenticator.js';
import {
  fillScopeTemplate,
  insufficientScopesMessage,
  type ScopeExpression,
  satisfies,
} from './auth/scopes.js';
import { errorReply, type RequestInfo } from './error-reply.js';
import { unstorableJson } from './json-guard.js';
import type { SchemaValidator } from './schema-validator.js';

/** What the pipeline needs of an authenticator (`HawkAuthenticator` is the one). */
export interface Authenticator {
  authenticate(request: AuthRequest): Promise<AuthResult>;
}

export interface PipelineDeps {
  authenticator: Authenticator;
  validator: SchemaValidator;
  clock: Clock;
  logger: Logger;
  trustProxy: boolean;
}

/** Both mount points of the v1 API: rootUrl style and the legacy host style. */
export const API_PREFIXES = ['/api/aws-provisioner/v1', '/v1'] as const;

/** Registers every method under both prefixes, each running Taskcluster's request pipeline (spec §A.4). */
export function registerMethods(
  app: FastifyInstance,
  methods: readonly ApiMethod[],
  deps: PipelineDeps,
): void {
  for (const method of methods) {
    const url = method.route.replace(/<([a-zA-Z]+)>/g, ':$1');
    for (const prefix of API_PREFIXES) {
      app.route({
        method: method.method.toUpperCase() as 'GET',
        url: prefix + url,
        exposeHeadRoute: method.changesState !== true,
        handler: (request, reply) => runMethod(method, request, reply, deps),
      });
    }
  }
}

async function runMethod(
  method: ApiMethod,
  request: FastifyRequest,
  reply: FastifyReply,
  deps: PipelineDeps,
) {
  const params = (request.params ?? {}) as Record<string, string>;
  const time = new Date(deps.clock.now());
  let payload: unknown = {};
  try {
    payload = parseBody(method, request);
    const result = await method.handler(await checkedContext(method, request, params, payload, deps));
    return sendResult(method, result, reply, deps);
  } catch (error) {
    return sendFailure(error, { method: method.name, params, payload, time }, reply, deps);
  }
}

/** Authorizes what the URL alone decides, checks parameters, query and body: the handler's context. */
async function checkedContext(
  method: ApiMethod,
  request: FastifyRequest,
  params: Record<string, string>,
  payload: unknown,
  deps: PipelineDeps,
): Promise<MethodContext> {
  const suppliedKeys = isPlainObject(payload) ? Object.keys(payload) : [];
  const caller = lazyCaller(request, deps);
  if (method.scopes && canFillFromParams(method.scopes, params)) {
    await authorize(await caller(), fillScopeTemplate(method.scopes, params));
  }
  checkParams(method, params);
  const query = checkQuery(method, request.query);
  if (method.input) {
    const problems = deps.validator.checkInput(method.input, payload);
    if (problems.length > 0) {
      throw new ProvisionerError('InputValidationError', `Schema Validation Failed!\n${problems.join('\n')}`);
    }
  }
  return {
    params,
    query,
    body: payload,
    suppliedKeys,
    // Routes without scopes never authenticate (spec §A.4): their caller is anonymous.
    caller: method.scopes ? await callerOrAnonymous(caller) : { clientId: undefined, scopes: [] },
    authorize: async (expression) => authorize(await caller(), expression),
  };
}

function sendResult(method: ApiMethod, result: MethodReply, reply: FastifyReply, deps: PipelineDeps) {
  if (result.status === 204) return reply.code(204).send();
  if (method.output) {
    const problems = deps.validator.checkOutput(method.output, result.body);
    if (problems.length > 0) throw new Error(`${method.name} reply fails its schema: ${problems.join('; ')}`);
  }
  return reply.code(200).type('application/json; charset=utf-8').send(JSON.stringify(result.body));
}

/** Taskcluster's error reply; unexpected errors and refusals are logged. */
function sendFailure(error: unknown, info: RequestInfo, reply: FastifyReply, deps: PipelineDeps) {
  const failure = errorReply(error, info);
  if (failure.incidentId) {
    deps.logger.error({
      event: 'api.internal-error',
      method: info.method,
      incidentId: failure.incidentId,
      err: error,
    });
  } else if (failure.status === 401 || failure.status === 403) {
    // Auth messages name the problem and never contain credentials: operators need the reason.
    deps.logger.info({
      event: 'api.refused',
      method: info.method,
      status: failure.status,
      reason: (error as Error).message,
    });
  }
  if (failure.status === 401) reply.header('www-authenticate', 'hawk');
  return reply.code(failure.status).send(failure.body);
}

function parseBody(method: ApiMethod, request: FastifyRequest): unknown {
  const raw = typeof request.body === 'string' ? request.body : '';
  if (!method.input) return {};
  const contentType = request.headers['content-type'] ?? '';
  if (raw.trim() === '') return {};
  if (!/^application\/(.+\+)?json\b/i.test(contentType)) {
    throw new ProvisionerError(
      'MalformedPayload',
      `Expected Content-Type application/json, got "${contentType}"`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new ProvisionerError('MalformedPayload', `Failed to parse JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null) {
    throw new ProvisionerError(
      'MalformedPayload',
      'Failed to parse JSON: the body must be an object or an array',
    );
  }
  const unstorable = unstorableJson(parsed);
  if (unstorable !== null) {
    throw new ProvisionerError('InputValidationError', `Schema Validation Failed!\n${unstorable}`);
  }
  return parsed;
}

function checkParams(method: ApiMethod, params: Record<string, string>): void {
  const bad = routeParams(method.route).filter((name) => {
    const pattern = PARAM_PATTERNS[name];
    return pattern !== undefined && !pattern.test(params[name] ?? '');
  });
  if (bad.length > 0) {
    const lines = bad.map((name) => `URL parameter ${name} must match ${PARAM_PATTERNS[name]?.source}`);
    throw new ProvisionerError('InvalidRequestArguments', lines.join('\n'));
  }
}

/**
 * The declared query-string options, each a single value matching its pattern (400 otherwise). Options a
 * method does not declare are ignored, as Taskcluster does (e.g. `bewit` on signed URLs).
 */
function checkQuery(method: ApiMethod, raw: unknown): Record<string, string> {
  const supplied = (raw ?? {}) as Record<string, unknown>;
  const query: Record<string, string> = {};
  const problems: string[] = [];
  for (const [name, pattern] of Object.entries(method.query ?? {})) {
    const value = supplied[name];
    if (value === undefined) continue;
    if (typeof value === 'string' && pattern.test(value)) query[name] = value;
    else problems.push(`Query string option ${name} must be given once and match ${pattern.source}`);
  }
  if (problems.length > 0) throw new ProvisionerError('InvalidRequestArguments', problems.join('\n'));
  return query;
}

/** Authenticates at most once per request, and only when a scope check needs it. */
function lazyCaller(request: FastifyRequest, deps: PipelineDeps): () => Promise<AuthResult> {
  let result: Promise<AuthResult> | undefined;
  return () => {
    result ??= deps.authenticator.authenticate(hawkRequest(request, deps.trustProxy));
    return result;
  };
}

/** Handlers see who called when credentials were sent and valid; never fails the request by itself. */
async function callerOrAnonymous(caller: () => Promise<AuthResult>): Promise<Caller> {
  const result = await caller().catch(() => undefined);
  return result?.kind === 'authenticated'
    ? { clientId: result.clientId, scopes: result.scopes }
    : { clientId: undefined, scopes: [] };
}

async function authorize(result: AuthResult, expression: ScopeExpression): Promise<void> {
  if (!satisfies([...result.scopes], expression)) {
    throw new ProvisionerError(
      'InsufficientScopes',
      insufficientScopesMessage([...result.scopes], expression),
    );
  }
}

function canFillFromParams(expression: ScopeExpression, params: Record<string, string>): boolean {
  const names = [...JSON.stringify(expression).matchAll(/<([a-zA-Z]+)>/g)].map((m) => m[1] ?? '');
  return names.every((name) => params[name] !== undefined);
}

/** Host, port and path as the client saw them: Hawk MACs cover all three. */
export function hawkRequest(request: FastifyRequest, trustProxy: boolean): AuthRequest {
  const header = (name: string) => {
    const value = request.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const forwarded = (name: string) => (trustProxy ? header(name)?.split(',')[0]?.trim() : undefined);
  const proto = forwarded('x-forwarded-proto') ?? 'http';
  const hostHeader = forwarded('x-forwarded-host') ?? header('host') ?? '';
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hostHeader);
  const port = Number(forwarded('x-forwarded-port') ?? match?.[2] ?? (proto === 'https' ? 443 : 80));
  const authorization = header('authorization');
  const contentType = header('content-type');
  return {
    method: request.method,
    resource: request.raw.url ?? request.url,
    host: match?.[1] ?? hostHeader,
    port,
    payload: typeof request.body === 'string' ? request.body : '',
    ...(authorization !== undefined ? { authorization } : {}),
    ...(contentType !== undefined ? { contentType } : {}),
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
