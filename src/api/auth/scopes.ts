import { createRequire } from 'node:module';

/**
 * Taskcluster scope logic, delegated to `taskcluster-lib-scopes` so satisfaction (trailing `*`) is exactly
 * Taskcluster's. The library is CommonJS without types; the slice we use is typed here.
 */
export type ScopeExpression = string | { AnyOf: ScopeExpression[] } | { AllOf: ScopeExpression[] };

interface LibScopes {
  validScope(scope: unknown): boolean;
  validExpression(expression: unknown): boolean;
  satisfiesExpression(scopes: readonly string[], expression: ScopeExpression): boolean;
  removeGivenScopes(scopes: readonly string[], expression: ScopeExpression): ScopeExpression | null;
  scopesSatisfying(scopes: readonly string[], expression: ScopeExpression): string[] | undefined;
}

const libScopes = createRequire(import.meta.url)('taskcluster-lib-scopes') as LibScopes;

/** A scope is a string of printable ASCII (0x20–0x7e). */
export function isValidScope(scope: unknown): scope is string {
  return libScopes.validScope(scope);
}

export function isValidScopeExpression(expression: unknown): expression is ScopeExpression {
  try {
    return libScopes.validExpression(expression);
  } catch {
    // The library asserts instead of answering false.
    return false;
  }
}

/** True when `scopes` satisfy `expression` (Taskcluster semantics: exact match, or a held `prefix*`). */
export function satisfies(scopes: readonly string[], expression: ScopeExpression): boolean {
  return libScopes.satisfiesExpression(scopes, expression);
}

/** The part of `expression` that `scopes` do not satisfy, or null when nothing is missing. */
export function missingScopes(
  scopes: readonly string[],
  expression: ScopeExpression,
): ScopeExpression | null {
  return libScopes.removeGivenScopes(scopes, expression);
}

/**
 * Replaces `<name>` placeholders with `params[name]`, as lib-api did for route scopes
 * (e.g. `aws-provisioner:manage-worker-type:<workerType>`). A placeholder without a value is an error,
 * since leaving it in place would ask for a scope nobody intended.
 */
export function fillScopeTemplate(
  expression: ScopeExpression,
  params: Readonly<Record<string, string | undefined>>,
): ScopeExpression {
  if (typeof expression === 'string') {
    return expression.replace(/<([^<>]+)>/g, (_placeholder, name: string) => {
      const value = params[name];
      if (value === undefined) throw new Error(`No value for <${name}> in scope template ${expression}`);
      return value;
    });
  }
  if ('AnyOf' in expression) return { AnyOf: expression.AnyOf.map((e) => fillScopeTemplate(e, params)) };
  return { AllOf: expression.AllOf.map((e) => fillScopeTemplate(e, params)) };
}

/** Placeholder names in a template, in order of first appearance. */
export function templateParameters(expression: ScopeExpression): string[] {
  const names = new Set<string>();
  const visit = (e: ScopeExpression): void => {
    if (typeof e === 'string') {
      for (const match of e.matchAll(/<([^<>]+)>/g)) names.add(match[1] as string);
    } else {
      ('AnyOf' in e ? e.AnyOf : e.AllOf).forEach(visit);
    }
  };
  visit(expression);
  return [...names];
}

/**
 * The body of a 403 InsufficientScopes in Taskcluster's words: what is missing, what the caller has,
 * and what the route requires.
 */
export function insufficientScopesMessage(scopes: readonly string[], expression: ScopeExpression): string {
  const missing = missingScopes(scopes, expression);
  return [
    'You do not have sufficient scopes. You are missing the following scopes:',
    '',
    '```',
    missing === null ? '(none)' : formatExpression(missing),
    '```',
    '',
    'You have the scopes:',
    '',
    '```',
    scopes.length === 0 ? '(none)' : [...scopes].join('\n'),
    '```',
    '',
    'This request requires you to satisfy this scope expression:',
    '',
    '```',
    formatExpression(expression),
    '```',
  ].join('\n');
}

/** Scope expressions as indented JSON: readable for nested AnyOf/AllOf, unambiguous for plain scopes. */
export function formatExpression(expression: ScopeExpression): string {
  return typeof expression === 'string' ? expression : JSON.stringify(expression, null, 2);
}
