import { describe, expect, it } from 'vitest';
import { workerCredentialScopes } from '../../src/domain/worker-type.js';

const definition = {
  scopes: ['top'],
  regions: [
    { region: 'us-west-2', scopes: ['west'] },
    { region: 'us-east-1', scopes: ['east', 'top'] },
  ],
  instanceTypes: [
    { instanceType: 'c5.large', scopes: ['large'] },
    { instanceType: 'c5.xlarge', scopes: [] },
  ],
} as unknown as Parameters<typeof workerCredentialScopes>[2];

const BASE = ['assume:worker-type:prov/wt', 'assume:worker-id:*'];

describe('workerCredentialScopes', () => {
  it.each([
    ['its own region and type', { region: 'us-west-2', instanceType: 'c5.large' }, ['top', 'west', 'large']],
    ['no duplicates', { region: 'us-east-1', instanceType: 'c5.xlarge' }, ['top', 'east']],
    [
      'a region or type no longer defined adds nothing',
      { region: 'eu-west-1', instanceType: 'm5.large' },
      ['top'],
    ],
    ['where it runs unknown: every region and type', undefined, ['east', 'large', 'top', 'west']],
  ] as const)('%s', (_name, placement, granted) => {
    const scopes = workerCredentialScopes('prov', 'wt', definition, placement);
    expect(scopes).toEqual([...BASE, ...granted]);
  });

  it('a removed worker type gives only its identity', () => {
    expect(
      workerCredentialScopes('prov', 'wt', undefined, { region: 'us-west-2', instanceType: 'c5.large' }),
    ).toEqual(BASE);
  });
});
