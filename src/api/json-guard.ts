/**
 * What JSON.parse accepts but the database cannot store: a NUL character or a lone UTF-16 surrogate in a
 * string (PostgreSQL's json refuses both), and nesting so deep that serialising it again overflows the stack.
 */
const MAX_DEPTH = 64;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The first such problem in `value`, naming where it is (`/userData/a/0`), or null. */
export function unstorableJson(value: unknown): string | null {
  return check(value, '', 0);
}

function check(value: unknown, path: string, depth: number): string | null {
  if (typeof value === 'string') return badString(value, path === '' ? 'body' : path);
  if (typeof value !== 'object' || value === null) return null;
  if (depth >= MAX_DEPTH) return `${path || 'body'}: nested deeper than ${MAX_DEPTH} levels`;
  const entries = Array.isArray(value) ? value.entries() : Object.entries(value);
  for (const [key, item] of entries) {
    const where = `${path}/${escapePointer(String(key))}`;
    const keyProblem = typeof key === 'string' ? badString(key, `${where} (the property name)`) : null;
    const problem = keyProblem ?? check(item, where, depth + 1);
    if (problem !== null) return problem;
  }
  return null;
}

function badString(text: string, where: string): string | null {
  if (text.includes('\u0000')) return `${where}: must not contain the NUL character (\\u0000)`;
  if (LONE_SURROGATE.test(text)) return `${where}: must not contain an unpaired UTF-16 surrogate`;
  return null;
}

/** JSON Pointer escaping, as the schema errors name places; control characters shown as escapes. */
function escapePointer(key: string): string {
  const escaped = key.replaceAll('~', '~0').replaceAll('/', '~1');
  return JSON.stringify(escaped).slice(1, -1);
}
