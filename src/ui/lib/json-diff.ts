export type ChangeKind = 'added' | 'removed' | 'changed';

export interface JsonChange {
  /** JSON pointer of the changed value. */
  pointer: string;
  kind: ChangeKind;
  before?: unknown;
  after?: unknown;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const escapeKey = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * The differences between two JSON values, deepest first where both sides are objects or arrays of the same
 * length; a value of another shape (or an array whose length changed) is one change.
 */
export function jsonDiff(before: unknown, after: unknown, pointer = ''): JsonChange[] {
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) => {
      const path = `${pointer}/${escapeKey(key)}`;
      if (!(key in after) || after[key] === undefined) {
        return before[key] === undefined
          ? []
          : [{ pointer: path, kind: 'removed' as const, before: before[key] }];
      }
      if (!(key in before) || before[key] === undefined) {
        return [{ pointer: path, kind: 'added' as const, after: after[key] }];
      }
      return jsonDiff(before[key], after[key], path);
    });
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    return before.flatMap((item, index) => jsonDiff(item, after[index], `${pointer}/${index}`));
  }
  return JSON.stringify(before) === JSON.stringify(after)
    ? []
    : [{ pointer, kind: 'changed', before, after }];
}
