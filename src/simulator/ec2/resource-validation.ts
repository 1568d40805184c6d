import { ec2Error, invalidValue } from './ec2-api-error.js';

/** EC2's cap on tags per resource. */
const MAX_TAGS = 50;
/** Decoded user data is limited to 16 KiB. */
const MAX_USER_DATA_BYTES = 16_384;

/** Checks tags as EC2 does and returns them as a map. */
export function validTags(
  tags: Record<string, string> | undefined,
  existing?: Map<string, string>,
): Map<string, string> {
  const result = new Map(existing ?? []);
  for (const [key, value] of Object.entries(tags ?? {})) {
    if (key.length === 0 || key.length > 128)
      throw invalidValue('tag key', key, 'Tag keys must be 1 to 128 characters');
    if (key.toLowerCase().startsWith('aws:')) {
      throw ec2Error('InvalidParameterValue', `Tag keys starting with 'aws:' are reserved for internal use`);
    }
    if (value.length > 256)
      throw invalidValue('tag value', value, 'Tag values may be at most 256 characters');
    result.set(key, value);
  }
  if (result.size > MAX_TAGS) {
    throw ec2Error('TagLimitExceeded', 'The maximum number of Tags for a resource has been reached.');
  }
  return result;
}

/** UserData must be base64 of at most 16 KiB; returns it unchanged. */
export function validUserData(userData: string | undefined): string | undefined {
  if (userData === undefined) return undefined;
  const compact = userData.replace(/\s/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 !== 0) {
    throw ec2Error('InvalidParameterValue', 'Invalid BASE64 encoding of user data.');
  }
  if (Buffer.from(compact, 'base64').length > MAX_USER_DATA_BYTES) {
    throw ec2Error('InvalidParameterValue', `User data is limited to ${MAX_USER_DATA_BYTES} bytes`);
  }
  return compact;
}

export function validCounts(minCount: number, maxCount: number): void {
  for (const [name, value] of [
    ['MinCount', minCount],
    ['MaxCount', maxCount],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) {
      throw ec2Error(
        'InvalidParameterValue',
        `Value (${value}) for parameter ${name} is invalid. Must be at least 1.`,
      );
    }
  }
  if (minCount > maxCount) {
    throw ec2Error(
      'InvalidParameterValue',
      `Value (${minCount}) for parameter minCount is invalid. Must be at most maxCount.`,
    );
  }
}

export function validMaxPrice(price: number, name: string): number {
  if (!Number.isFinite(price) || price <= 0) throw invalidValue(name, String(price));
  return price;
}

/** A stable JSON text of `value` (object keys sorted): idempotency compares launches with it. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (inner instanceof Map) return Object.fromEntries([...inner.entries()].sort());
    if (inner && typeof inner === 'object' && !Array.isArray(inner)) {
      return Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return inner;
  });
}
