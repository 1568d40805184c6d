import { describe, expect, it } from 'vitest';
import {
  InvalidEventError,
  payloadProblems,
  prepareMessage,
  routingKey,
} from '../../src/events/event-message.js';
import type { InstanceLaunchedMessage, InstanceTerminatedMessage } from '../../src/events/event-schemas.js';
import { EXCHANGES, type ExchangeName, fullExchangeName } from '../../src/events/exchanges.js';

const launched: InstanceLaunchedMessage = {
  version: 1,
  workerType: 'gecko-t-linux',
  instanceId: 'i-0123456789abcdef0',
  region: 'us-west-2',
  zone: 'us-west-2a',
  instanceType: 'c5.xlarge',
  market: 'spot',
  price: 0.0725,
  launchedAt: '2026-01-01T00:00:00.000Z',
};

const terminated: InstanceTerminatedMessage = {
  version: 1,
  workerType: 'gecko-t-linux',
  instanceId: 'i-0123456789abcdef0',
  region: 'eu-central-1',
  zone: 'eu-central-1b',
  instanceType: 'm5.large',
  market: 'on-demand',
  reason: 'zombie',
  terminatedAt: '2026-01-05T00:00:00.000Z',
};

describe('routing keys', () => {
  it.each([
    ['worker-type-created', { workerType: 'wt-1' }, 'primary.wt-1._'],
    ['worker-type-updated', { workerType: 'a_b-C' }, 'primary.a_b-C._'],
    ['worker-type-removed', { workerType: 'x'.repeat(38) }, `primary.${'x'.repeat(38)}._`],
    ['instance-launched', { workerType: 'wt', region: 'us-east-1' }, 'primary.wt.us-east-1._'],
    [
      'instance-terminated',
      { workerType: 'wt', region: 'us-east-1', reason: 'rogue' },
      'primary.wt.us-east-1.rogue._',
    ],
    [
      'instance-terminated',
      { workerType: 'wt', region: 'r', reason: 'zombie', reserved: 'z' },
      'primary.wt.r.zombie.z',
    ],
  ] as const)('%s with %j is %s', (exchange, parts, expected) => {
    expect(routingKey(exchange, parts)).toBe(expected);
  });

  it.each([
    ['worker-type-created', {}, 'workerType is required'],
    ['worker-type-created', { workerType: '' }, 'workerType is required'],
    ['worker-type-created', { workerType: 'a.b' }, 'workerType contains a dot'],
    ['worker-type-created', { workerType: 'x'.repeat(39) }, 'workerType is over 38 characters'],
    ['worker-type-created', { workerType: 'wt', region: 'us-east-1' }, 'has no word region'],
    ['worker-type-created', { workerType: 'wt', reserved: '__' }, 'reserved is over 1 characters'],
    ['instance-launched', { workerType: 'wt' }, 'region is required'],
  ] as const)('%s refuses %j (%s)', (exchange, parts, problem) => {
    expect(() => routingKey(exchange, parts)).toThrow(problem);
  });

  it('derives each exchange routing key from the message body', () => {
    expect(routingKey('instance-launched', EXCHANGES['instance-launched'].routingKeyParts(launched))).toBe(
      'primary.gecko-t-linux.us-west-2._',
    );
    expect(
      routingKey('instance-terminated', EXCHANGES['instance-terminated'].routingKeyParts(terminated)),
    ).toBe('primary.gecko-t-linux.eu-central-1.zombie._');
  });

  it('names exchanges after the namespace', () => {
    expect(fullExchangeName('taskcluster-aws-provisioner', 'worker-type-created')).toBe(
      'exchange/taskcluster-aws-provisioner/v1/worker-type-created',
    );
  });
});

describe('message validation', () => {
  it.each([
    ['worker-type-created', { workerType: 'wt', version: 1 }],
    ['worker-type-removed', { workerType: 'a-b_C9', version: 1 }],
    ['instance-launched', launched],
    ['instance-launched', { ...launched, market: 'on-demand', price: 0 }],
    ['instance-terminated', terminated],
    ['instance-terminated', { ...terminated, reason: 'worker-type-removed' }],
  ] as const)('accepts a %s body %j', (exchange, payload) => {
    expect(payloadProblems(exchange, payload)).toEqual([]);
  });

  it.each([
    ['worker-type-created', { workerType: 'wt', version: 2 }],
    ['worker-type-created', { workerType: 'wt' }],
    ['worker-type-created', { workerType: 'wt', version: 1, extra: true }],
    ['worker-type-updated', { workerType: 'bad name', version: 1 }],
    ['worker-type-removed', { workerType: '', version: 1 }],
    ['instance-launched', { ...launched, instanceId: 'vm-1' }],
    ['instance-launched', { ...launched, price: -1 }],
    ['instance-launched', { ...launched, market: 'reserved' }],
    ['instance-launched', { ...launched, launchedAt: 'yesterday' }],
    ['instance-launched', { ...launched, region: 'us.west' }],
    ['instance-terminated', { ...terminated, reason: 'bored' }],
    ['instance-terminated', { ...terminated, terminatedAt: undefined }],
  ] as const)('refuses a %s body %j', (exchange, payload) => {
    expect(payloadProblems(exchange as ExchangeName, payload)).not.toEqual([]);
  });

  it('prepares a valid message and throws InvalidEventError for a bad one', () => {
    expect(
      prepareMessage('worker-type-updated', { workerType: 'wt' }, { workerType: 'wt', version: 1 }),
    ).toEqual({
      exchange: 'worker-type-updated',
      routingKey: 'primary.wt._',
      payload: { workerType: 'wt', version: 1 },
    });
    const bad = { workerType: 'wt', version: 3 } as unknown as { workerType: string; version: 1 };
    expect(() => prepareMessage('worker-type-updated', { workerType: 'wt' }, bad)).toThrow(InvalidEventError);
    expect(() => prepareMessage('no-such-exchange' as ExchangeName, {}, launched)).toThrow(
      'no exchange named',
    );
  });
});
