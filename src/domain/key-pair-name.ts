/**
 * Key pair names (spec Part 1 "Key pairs", §D.7): one key pair per worker type, ensured in every region of
 * its definition and deleted with it, so the name carries the worker type:
 *
 * - `<prefix>:<workerType>:<hash>` when an instance public key is configured; `<hash>` identifies the key,
 *   so rotating it gives new instances a new key pair under a new name;
 * - `<prefix>:<workerType>` when none is: EC2 then creates the key pair and its private half is discarded,
 *   so there is no key to identify, and one name per worker type is all that is needed.
 *
 * Pure (hashing is deterministic).
 */
import { createHash } from 'node:crypto';
import { WORKER_TYPE_NAME } from './worker-type.js';

/** EC2's limit on key pair names (ASCII characters). */
export const MAX_KEY_PAIR_NAME_LENGTH = 255;
const HASH = /^[0-9a-f]{7}$/;

/** `awsKeyPrefix` without its one optional trailing `:`; throws on any other `:` or an empty prefix. */
export function keyPairPrefix(awsKeyPrefix: string): string {
  const prefix = awsKeyPrefix.endsWith(':') ? awsKeyPrefix.slice(0, -1) : awsKeyPrefix;
  if (prefix === '' || prefix.includes(':')) {
    throw new RangeError(
      `awsKeyPrefix ${JSON.stringify(awsKeyPrefix)} must be non-empty and may contain ":" only at its end`,
    );
  }
  return prefix;
}

/**
 * First 7 hex characters of SHA-256 over `"<type> <key>"` of an OpenSSH public key; the comment is ignored,
 * so the same key with another comment keeps its name. Fields are split on runs of whitespace, which
 * agrees with the original's single-space split for every well-formed key.
 */
export function publicKeyHash(publicKey: string): string {
  const [type, key] = publicKey.trim().split(/\s+/);
  if (type === undefined || key === undefined || type === '') {
    throw new RangeError(
      'the instance public key must be an OpenSSH public key: "<type> <base64> [comment]"',
    );
  }
  return createHash('sha256').update(`${type} ${key}`, 'utf8').digest('hex').slice(0, 7);
}

/** The key pair name of `workerType`; throws if the worker type name or the result is not usable. */
export function keyPairName(awsKeyPrefix: string, workerType: string, publicKey: string | undefined): string {
  if (!WORKER_TYPE_NAME.test(workerType)) {
    throw new RangeError(`${JSON.stringify(workerType)} is not a valid worker type name`);
  }
  const base = `${keyPairPrefix(awsKeyPrefix)}:${workerType}`;
  const name = publicKey === undefined ? base : `${base}:${publicKeyHash(publicKey)}`;
  if (name.length > MAX_KEY_PAIR_NAME_LENGTH) {
    throw new RangeError(
      `key pair name for ${workerType} is longer than ${MAX_KEY_PAIR_NAME_LENGTH} characters`,
    );
  }
  return name;
}

/**
 * The worker type a key pair name belongs to, or undefined when it is not one of ours: accepts
 * `<prefix>:<workerType>` and `<prefix>:<workerType>:<7 hex>` for this deployment's prefix only.
 */
export function parseKeyPairName(awsKeyPrefix: string, name: string): string | undefined {
  const head = `${keyPairPrefix(awsKeyPrefix)}:`;
  if (!name.startsWith(head) || name.length > MAX_KEY_PAIR_NAME_LENGTH) return undefined;
  const [workerType, hash, ...rest] = name.slice(head.length).split(':');
  if (workerType === undefined || !WORKER_TYPE_NAME.test(workerType) || rest.length > 0) return undefined;
  if (hash !== undefined && !HASH.test(hash)) return undefined;
  return workerType;
}
