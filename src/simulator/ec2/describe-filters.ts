import { ec2Error } from './ec2-api-error.js';
import type { OrderedIndex } from './ordered-index.js';

/** The values of one filterable field of a resource. */
export type FieldValues<T> = (item: T) => string | readonly string[] | undefined;

export interface FilterFields<T> {
  fields: Record<string, FieldValues<T>>;
  tags: (item: T) => ReadonlyMap<string, string>;
}

type Matcher = (value: string) => boolean;

/** EC2 filter values: `*` any run of characters, `?` one character, `\` escapes. */
function valueMatcher(pattern: string): Matcher {
  if (!/[*?]/.test(pattern)) return (value) => value === pattern;
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] as string;
    if (char === '\\' && i + 1 < pattern.length)
      source += (pattern[++i] as string).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (char === '*') source += '[\\s\\S]*';
    else if (char === '?') source += '[\\s\\S]';
    else source += char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  const regex = new RegExp(`^${source}$`);
  return (value) => regex.test(value);
}

function anyOf(patterns: readonly string[]): Matcher {
  const matchers = patterns.map(valueMatcher);
  return (value) => matchers.some((matches) => matches(value));
}

/**
 * One predicate for a Describe call's filters: every filter must match (AND), any of a filter's values
 * may match (OR). Unknown filter names fail like EC2.
 */
export function compileFilters<T>(
  filters: ReadonlyArray<{ name: string; values: readonly string[] }>,
  spec: FilterFields<T>,
): (item: T) => boolean {
  const tests = filters.map(({ name, values }): ((item: T) => boolean) => {
    const matches = anyOf(values);
    if (name.startsWith('tag:')) {
      const key = name.slice(4);
      return (item) => {
        const value = spec.tags(item).get(key);
        return value !== undefined && matches(value);
      };
    }
    if (name === 'tag-key') return (item) => [...spec.tags(item).keys()].some(matches);
    if (name === 'tag-value') return (item) => [...spec.tags(item).values()].some(matches);
    const field = spec.fields[name];
    if (field === undefined) throw ec2Error('InvalidParameterValue', `The filter '${name}' is invalid`);
    return (item) => {
      const value = field(item);
      if (value === undefined) return false;
      return typeof value === 'string' ? matches(value) : value.some(matches);
    };
  });
  return (item) => tests.every((test) => test(item));
}

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

/** Opaque pagination tokens, bound to the action and region that issued them. */
export function encodeToken(scope: string, position: number, pinnedTime?: number): string {
  return Buffer.from(JSON.stringify({ s: scope, p: position, t: pinnedTime })).toString('base64url');
}

/** The position (and the pinned time, if any) a token resumes from; no token starts at the beginning. */
export function decodeToken(
  token: string | undefined,
  scope: string,
): { position: number; pinnedTime?: number } {
  if (token === undefined || token === '') return { position: Number.NEGATIVE_INFINITY };
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      s?: unknown;
      p?: unknown;
      t?: unknown;
    };
    if (parsed.s === scope && typeof parsed.p === 'number') {
      return typeof parsed.t === 'number'
        ? { position: parsed.p, pinnedTime: parsed.t }
        : { position: parsed.p };
    }
  } catch {
    // fall through to the error
  }
  throw ec2Error('InvalidPaginationToken', `The pagination token '${token}' is invalid or has expired`);
}

/** Checks MaxResults against EC2's bounds for the action. */
export function checkMaxResults(maxResults: number | undefined, min: number, max: number): void {
  if (maxResults === undefined) return;
  if (maxResults < min || maxResults > max) {
    throw ec2Error(
      'InvalidParameterValue',
      `Value ( ${maxResults} ) for parameter maxResults is invalid. Expecting a value between ${min} and ${max}.`,
    );
  }
}

/**
 * One page of the matching items of an index, resuming after the token's position. A whole walk through
 * all pages visits each item once.
 */
export function paginate<T extends { seq: number }>(
  index: OrderedIndex<T>,
  predicate: (item: T) => boolean,
  options: { maxResults?: number; nextToken?: string; scope: string },
): Page<T> {
  const after = decodeToken(options.nextToken, options.scope).position;
  const limit = options.maxResults ?? Number.POSITIVE_INFINITY;
  const items: T[] = [];
  let more = false;
  index.scanAfter(after, (item) => {
    if (!predicate(item)) return true;
    if (items.length >= limit) {
      more = true;
      return false;
    }
    items.push(item);
    return true;
  });
  const last = items[items.length - 1];
  return more && last !== undefined ? { items, nextToken: encodeToken(options.scope, last.seq) } : { items };
}

/** One page of an already computed list (small results: images, spot prices); `pinnedTime` rides along. */
export function paginateList<T>(
  list: readonly T[],
  options: { maxResults?: number; nextToken?: string; scope: string; pinnedTime?: number },
): Page<T> {
  const start = Math.max(0, decodeToken(options.nextToken, options.scope).position);
  const end = options.maxResults === undefined ? list.length : start + options.maxResults;
  const items = list.slice(start, end);
  return end < list.length
    ? { items, nextToken: encodeToken(options.scope, end, options.pinnedTime) }
    : { items };
}
