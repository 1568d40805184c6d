import { describe, expect, it } from 'vitest';
import { unstorableJson } from '../../src/api/json-guard.js';

const nested = (depth: number): unknown => (depth === 0 ? 'leaf' : [nested(depth - 1)]);

describe('unstorableJson', () => {
  it.each([
    ['an ordinary definition', { description: 'ok', userData: { a: [1, 'two', null, true] } }, null],
    ['emoji (surrogate pairs)', { description: 'build 🚀 ok' }, null],
    [
      'a key holding / and ~',
      { userData: { 'a/b~c': 'x\u0000' } },
      '/userData/a~1b~0c: must not contain the NUL',
    ],
    [
      'a NUL in a value',
      { regions: [{ region: 'us\u0000' }] },
      '/regions/0/region: must not contain the NUL',
    ],
    ['a lone high surrogate', { owner: 'x\ud800' }, '/owner: must not contain an unpaired UTF-16 surrogate'],
    ['a lone low surrogate', ['\udc00'], '/0: must not contain an unpaired UTF-16 surrogate'],
    ['a bad key', { 'k\u0000': 1 }, '/k\\u0000 (the property name): must not contain the NUL'],
    ['64 levels', nested(63), null],
    ['65 levels', nested(65), 'nested deeper than 64 levels'],
    ['a bad top-level string', 'a\u0000', 'body: must not contain the NUL'],
  ])('%s', (_name, value, problem) => {
    const found = unstorableJson(value);
    if (problem === null) expect(found).toBeNull();
    else expect(found).toContain(problem);
  });
});
