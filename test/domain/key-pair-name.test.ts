import { describe, expect, it } from 'vitest';
import {
  keyPairName,
  keyPairPrefix,
  MAX_KEY_PAIR_NAME_LENGTH,
  parseKeyPairName,
  publicKeyHash,
} from '../../src/domain/key-pair-name.js';

// Digests computed outside this code base: printf '%s' "<type> <key>" | sha256sum
const ED25519 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';
const ED25519_HASH = 'ddb3aa0';
const RSA = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7';
const RSA_HASH = 'e47b282';
const MAX_WORKER_TYPE = 'w'.repeat(38);

describe('keyPairPrefix', () => {
  it.each([
    ['aws-provisioner-v1-managed:', 'aws-provisioner-v1-managed'],
    ['aws-provisioner-v1-managed', 'aws-provisioner-v1-managed'],
    ['p', 'p'],
  ])('%s → %s', (configured, expected) => {
    expect(keyPairPrefix(configured)).toBe(expected);
  });

  it.each(['a:b', 'a::', 'a:b:', ':', ''])('rejects %j', (configured) => {
    expect(() => keyPairPrefix(configured)).toThrow(RangeError);
  });
});

describe('publicKeyHash', () => {
  it.each([
    ['an ed25519 key', ED25519, ED25519_HASH],
    ['the same key with a comment', `${ED25519} worker@example.com`, ED25519_HASH],
    ['with a comment containing spaces', `${ED25519} the workers' key`, ED25519_HASH],
    ['with a trailing newline', `${RSA}\n`, RSA_HASH],
    ['an rsa key', RSA, RSA_HASH],
  ])('%s', (_name, key, expected) => {
    expect(publicKeyHash(key)).toBe(expected);
  });

  it.each(['', 'ssh-rsa', '   '])('rejects %j', (key) => {
    expect(() => publicKeyHash(key)).toThrow(RangeError);
  });
});

describe('keyPairName', () => {
  it.each([
    [
      'with a public key',
      'aws-provisioner-v1-managed:',
      'gecko-t-linux',
      ED25519,
      `aws-provisioner-v1-managed:gecko-t-linux:${ED25519_HASH}`,
    ],
    [
      'prefix without the trailing colon',
      'aws-provisioner-v1-managed',
      'gecko-t-linux',
      RSA,
      `aws-provisioner-v1-managed:gecko-t-linux:${RSA_HASH}`,
    ],
    [
      'without a public key',
      'aws-provisioner-v1-managed:',
      'gecko-t-linux',
      undefined,
      'aws-provisioner-v1-managed:gecko-t-linux',
    ],
    ['a 38-character worker type', 'p:', MAX_WORKER_TYPE, RSA, `p:${MAX_WORKER_TYPE}:${RSA_HASH}`],
  ])('%s', (_name, prefix, workerType, key, expected) => {
    expect(keyPairName(prefix, workerType, key)).toBe(expected);
  });

  it('rotating the public key changes the name', () => {
    expect(keyPairName('p', 'w', ED25519)).not.toBe(keyPairName('p', 'w', RSA));
  });

  it.each(['', 'has:colon', 'has space', 'w'.repeat(39)])('rejects worker type %j', (workerType) => {
    expect(() => keyPairName('p', workerType, undefined)).toThrow(RangeError);
  });

  it('rejects a bad prefix', () => {
    expect(() => keyPairName('a:b', 'w', undefined)).toThrow(RangeError);
  });

  describe("EC2's 255-character limit", () => {
    // ':' + 38 + ':' + 7 = 47 characters after the prefix.
    const longestPrefix = 'p'.repeat(MAX_KEY_PAIR_NAME_LENGTH - 47);
    it('accepts a name of exactly 255 characters', () => {
      const name = keyPairName(`${longestPrefix}:`, MAX_WORKER_TYPE, RSA);
      expect(name).toHaveLength(255);
      expect(parseKeyPairName(longestPrefix, name)).toBe(MAX_WORKER_TYPE);
    });
    it('rejects 256', () => {
      expect(() => keyPairName(`p${longestPrefix}`, MAX_WORKER_TYPE, RSA)).toThrow(/255/);
    });
    it('without a key the hash does not count', () => {
      expect(keyPairName(`p${longestPrefix}`, MAX_WORKER_TYPE, undefined)).toHaveLength(256 - 8);
    });
  });
});

describe('parseKeyPairName', () => {
  const prefix = 'aws-provisioner-v1-managed:';
  it.each([
    ['the hashed form', `aws-provisioner-v1-managed:gecko-t-linux:${RSA_HASH}`, 'gecko-t-linux'],
    ['the form without a key', 'aws-provisioner-v1-managed:gecko-t-linux', 'gecko-t-linux'],
    [
      'a 38-character worker type',
      `aws-provisioner-v1-managed:${MAX_WORKER_TYPE}:${RSA_HASH}`,
      MAX_WORKER_TYPE,
    ],
    ['underscores and dashes', 'aws-provisioner-v1-managed:a_b-C9', 'a_b-C9'],
    ['another prefix', `other-managed:gecko-t-linux:${RSA_HASH}`, undefined],
    ['a prefix that only starts the same', 'aws-provisioner-v1-managed-2:gecko-t-linux', undefined],
    ['the prefix alone', 'aws-provisioner-v1-managed:', undefined],
    ['a worker type over 38 characters', `aws-provisioner-v1-managed:${MAX_WORKER_TYPE}x`, undefined],
    ['a bad hash', 'aws-provisioner-v1-managed:gecko-t-linux:XYZ1234', undefined],
    ['a short hash', 'aws-provisioner-v1-managed:gecko-t-linux:abc', undefined],
    ['an empty hash', 'aws-provisioner-v1-managed:gecko-t-linux:', undefined],
    ['too many parts', `aws-provisioner-v1-managed:gecko-t-linux:${RSA_HASH}:x`, undefined],
    ['a name without a colon', 'gecko-t-linux', undefined],
    ['a name over 255 characters', `aws-provisioner-v1-managed:${'x'.repeat(229)}`, undefined],
  ])('%s', (_name, name, expected) => {
    expect(parseKeyPairName(prefix, name)).toBe(expected);
  });

  it.each(['aws-provisioner-v1-managed', 'aws-provisioner-v1-managed:'])(
    'accepts the configured prefix %j with or without its colon',
    (configured) => {
      expect(parseKeyPairName(configured, 'aws-provisioner-v1-managed:w:abcdef0')).toBe('w');
    },
  );

  it.each([
    ['w', ED25519],
    [MAX_WORKER_TYPE, undefined],
    ['a_b-c', RSA],
  ])('round-trips keyPairName for %s', (workerType, key) => {
    expect(parseKeyPairName(prefix, keyPairName(prefix, workerType, key))).toBe(workerType);
  });
});
