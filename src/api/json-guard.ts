/**
 * What JSON.parse accepts but the database cannot store: a NUL character or a lone UTF-16 surrogate in a
 * string (PostgreSQL's json refuses both), and nesting so deep that serialising it again overflows the stack.
 */
const MAX_DEPTH = 64;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The first such problem in `value`, naming where it is (`/userData/a/0`), or null. */
export function unstorableJson(value: unknown): string | null {
  // The path is kept as a stack of keys and spelled out only for a problem: most bodies have none.
  const path: string[] = [];
  const where = (suffix = '') =>
    (path.length === 0 ? 'body' : `/${path.map(escapePointer).join('/')}`) + suffix;
  const check = (item: unknown): string | null => {
    if (typeof item === 'string') {
      const problem = badString(item);
      return problem === null ? null : `${where()}: ${problem}`;
    }
    if (typeof item !== 'object' || item === null) return null;
    if (path.length >= MAX_DEPTH) return `${where()}: nested deeper than ${MAX_DEPTH} levels`;
    const entries = Array.isArray(item) ? item.entries() : Object.entries(item);
    for (const [key, child] of entries) {
      path.push(String(key));
      const keyProblem = typeof key === 'string' ? badString(key) : null;
      const problem = keyProblem === null ? check(child) : `${where(' (the property name)')}: ${keyProblem}`;
      if (problem !== null) return problem;
      path.pop();
    }
    return null;
  };
  return check(value);
}

function badString(text: string): string | null {
  if (text.includes('\u0000')) return 'must not contain the NUL character (\\u0000)';
  if (LONE_SURROGATE.test(text)) return 'must not contain an unpaired UTF-16 surrogate';
  return null;
}

/** JSON Pointer escaping, as the schema errors name places; control characters shown as escapes. */
function escapePointer(key: string): string {
  const escaped = key.replaceAll('~', '~0').replaceAll('/', '~1');
  return JSON.stringify(escaped).slice(1, -1);
}
