import type { ScopeExpression } from './auth/scopes.js';
import type { SchemaName } from './schemas/schemas.js';

/** URL parameters and the patterns they must match (spec §A.5; instance ids as fixed in Part 1). */
export const PARAM_PATTERNS: Readonly<Record<string, RegExp>> = {
  workerType: /^[a-zA-Z0-9-_]{1,38}$/,
  token: /^[A-Za-z0-9_-]{8}[Q-T][A-Za-z0-9_-][CGKOSWaeimquy26-][A-Za-z0-9_-]{10}[AQgw]$/,
  instanceId: /^i-[0-9a-fA-F]{8,17}$/,
  version: /^[1-9][0-9]{0,8}$/,
};

export interface Caller {
  /** `undefined` for requests without credentials. */
  clientId: string | undefined;
  scopes: readonly string[];
}

export interface MethodContext {
  params: Readonly<Record<string, string>>;
  /** The declared query-string options the request supplied (already checked against their patterns). */
  query: Readonly<Record<string, string>>;
  /** The request body after schema validation (defaults inserted); `{}` for methods without input. */
  body: unknown;
  /** The top-level keys the client sent, before schema defaults were inserted. */
  suppliedKeys: readonly string[];
  caller: Caller;
  /** Throws 401/403 unless the caller satisfies `expression` (for scopes that depend on the body). */
  authorize(expression: ScopeExpression): Promise<void>;
}

export type MethodReply = { status: 200; body: unknown } | { status: 204 };

export interface ApiMethod {
  name: string;
  title: string;
  description: string;
  stability: 'stable' | 'experimental';
  method: 'get' | 'put' | 'post' | 'delete';
  /** Taskcluster style, e.g. `/worker-type/<workerType>`. */
  route: string;
  /** Optional query-string options and the patterns their values must match (Taskcluster's `query`). */
  query?: Readonly<Record<string, RegExp>>;
  /** Checked before the handler when it can be filled from URL parameters alone. */
  scopes?: ScopeExpression;
  input?: SchemaName;
  output?: SchemaName;
  /** A GET that changes something (redeems a secret): no HEAD route, which would run it unseen. */
  changesState?: true;
  handler(context: MethodContext): Promise<MethodReply>;
}

/** The URL parameter names of a route, in order. */
export function routeParams(route: string): string[] {
  return [...route.matchAll(/<([a-zA-Z]+)>/g)].map((m) => m[1] ?? '');
}
