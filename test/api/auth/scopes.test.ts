import { describe, expect, it } from 'vitest';
import {
  fillScopeTemplate,
  insufficientScopesMessage,
  isValidScope,
  isValidScopeExpression,
  missingScopes,
  type ScopeExpression,
  satisfies,
  templateParameters,
} from '../../../src/api/auth/scopes.js';

describe('satisfies', () => {
  it.each<[string[], ScopeExpression, boolean]>([
    [['a:b'], 'a:b', true],
    [['a:b'], 'a:bc', false],
    [['a:*'], 'a:b:c', true],
    [['a:*'], 'a', false],
    [['a*'], 'a', true],
    [['*'], 'anything', true],
    [['a:b*c'], 'a:b*c', true],
    [['a:b*c'], 'a:bxc', false],
    [[], 'a', false],
    [[], { AllOf: [] }, true],
    [[], { AnyOf: [] }, false],
    [['a', 'b'], { AllOf: ['a', 'b'] }, true],
    [['a'], { AllOf: ['a', 'b'] }, false],
    [['b'], { AnyOf: ['a', 'b'] }, true],
    [['c'], { AnyOf: ['a', { AllOf: ['b', 'c'] }] }, false],
    [['b', 'c'], { AnyOf: ['a', { AllOf: ['b', 'c'] }] }, true],
  ])('%j satisfy %j: %s', (scopes, expression, expected) => {
    expect(satisfies(scopes, expression)).toBe(expected);
  });
});

describe('fillScopeTemplate', () => {
  it.each<[ScopeExpression, Record<string, string>, ScopeExpression]>([
    [
      'aws-provisioner:manage-worker-type:<workerType>',
      { workerType: 'wt-1' },
      'aws-provisioner:manage-worker-type:wt-1',
    ],
    ['a:<x>:<y>:<x>', { x: '1', y: '2' }, 'a:1:2:1'],
    ['no-placeholder', { x: '1' }, 'no-placeholder'],
    [
      { AnyOf: ['a:<t>', { AllOf: ['b:<t>', 'c'] }] },
      { t: 'v' },
      { AnyOf: ['a:v', { AllOf: ['b:v', 'c'] }] },
    ],
  ])('fills %j with %j', (template, params, expected) => {
    expect(fillScopeTemplate(template, params)).toEqual(expected);
  });

  it('refuses to leave a placeholder unfilled', () => {
    expect(() => fillScopeTemplate({ AllOf: ['a:<workerType>'] }, {})).toThrow(/No value for <workerType>/);
  });

  it('lists the placeholders a template needs', () => {
    expect(templateParameters({ AnyOf: ['a:<x>', { AllOf: ['<y>:<x>', 'c'] }] })).toEqual(['x', 'y']);
  });
});

describe('validity', () => {
  it.each([
    ['a:b', true],
    [' printable ~ ', true],
    ['tab\there', false],
    ['\u00e9', false],
    [7, false],
  ])('%j is a valid scope: %s', (scope, expected) => {
    expect(isValidScope(scope)).toBe(expected);
  });

  it.each([
    ['a', true],
    [{ AnyOf: ['a', { AllOf: [] }] }, true],
    [{ AnyOf: ['a'], AllOf: ['b'] }, false],
    [{ OneOf: ['a'] }, false],
    [['a'], false],
  ])('%j is a valid expression: %s', (expression, expected) => {
    expect(isValidScopeExpression(expression)).toBe(expected);
  });
});

describe('insufficientScopesMessage', () => {
  it('names the missing scopes, the caller’s scopes and the required expression', () => {
    const required = { AllOf: ['aws-provisioner:manage-worker-type:wt-1', 'queue:create-task:x'] };
    const held = ['queue:*', 'other'];
    expect(missingScopes(held, required)).toBe('aws-provisioner:manage-worker-type:wt-1');
    expect(insufficientScopesMessage(held, required)).toBe(
      [
        'You do not have sufficient scopes. You are missing the following scopes:',
        '',
        '```',
        'aws-provisioner:manage-worker-type:wt-1',
        '```',
        '',
        'You have the scopes:',
        '',
        '```',
        'queue:*',
        'other',
        '```',
        '',
        'This request requires you to satisfy this scope expression:',
        '',
        '```',
        JSON.stringify(required, null, 2),
        '```',
      ].join('\n'),
    );
  });

  it('shows an AnyOf still missing as the whole alternative, and an empty scope set as (none)', () => {
    const message = insufficientScopesMessage([], { AnyOf: ['a', 'b'] });
    expect(message).toContain(
      `missing the following scopes:\n\n\`\`\`\n${JSON.stringify({ AnyOf: ['a', 'b'] }, null, 2)}`,
    );
    expect(message).toContain('You have the scopes:\n\n```\n(none)\n```');
  });
});
