import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretCipher } from '../../src/store/secret-cipher.js';
import { SecretStore } from '../../src/store/secret-store.js';
import { engines, type TestDatabase } from '../helpers/databases.js';

const t0 = new Date('2026-01-01T00:00:00.000Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
let counter = 0;
const newToken = () => `tok-${++counter}-${randomBytes(4).toString('hex')}`;

describe.each(engines())('SecretStore on $name', (engine) => {
  let test: TestDatabase;
  const key = randomBytes(32);
  let store: SecretStore;

  beforeAll(async () => {
    test = await engine.open();
    store = new SecretStore(test.db, new SecretCipher(key));
  });
  afterAll(() => test.dispose());

  const secret = (token: string, minutes = 40) => ({
    token,
    workerType: 'wt',
    secrets: { password: 'hunter2' },
    scopes: ['a'],
    expiration: at(minutes),
  });

  it('redeems a secret exactly once', async () => {
    const token = newToken();
    await store.create(secret(token), t0);
    expect(await store.redeem(token, at(1))).toEqual({
      workerType: 'wt',
      secrets: { password: 'hunter2' },
      scopes: ['a'],
    });
    expect(await store.redeem(token, at(2))).toBeUndefined();
    // The token still identifies its worker type for instanceStarted after getSecret.
    expect(await store.recordCheckIn('i-0123456789abcdef0', token, at(3))).toBe('wt');
  });

  it('inserts many secrets in one statement, each redeemed with its own data and scopes', async () => {
    const tokens = [newToken(), newToken(), newToken()];
    const odd = ['queue:"quoted"', 'back\\slash', 'comma,{brace}'];
    await test.db.transaction((tx) =>
      store.insert(
        tx,
        tokens.map((token, i) => ({
          ...secret(token),
          secrets: { n: i },
          scopes: [odd[i] ?? ''],
          launchToken: `launch-${token}`,
        })),
        t0,
      ),
    );
    const redeemed = await Promise.all(tokens.map((token) => store.redeem(token, at(1))));
    expect(redeemed).toEqual(
      tokens.map((_, i) => ({ workerType: 'wt', secrets: { n: i }, scopes: [odd[i]] })),
    );
  });

  it('leaves the secret redeemable when making its answer fails', async () => {
    const token = newToken();
    await store.create(secret(token), t0);
    const failing = async () => {
      throw new Error('signing failed');
    };
    await expect(store.redeem(token, at(1), failing)).rejects.toThrow('signing failed');
    expect(await store.redeem(token, at(2))).toMatchObject({ secrets: { password: 'hunter2' } });
  });

  it('lets only one of many concurrent redeemers have it', async () => {
    const token = newToken();
    await store.create(secret(token), t0);
    const results = await Promise.all(Array.from({ length: 8 }, () => store.redeem(token, at(1))));
    expect(results.filter((r) => r !== undefined)).toHaveLength(1);
  });

  it('does not redeem an expired secret', async () => {
    const token = newToken();
    await store.create(secret(token, 10), t0);
    expect(await store.redeem(token, at(11))).toBeUndefined();
  });

  it('is idempotent for the same secret and refuses a different one', async () => {
    const token = newToken();
    await store.create(secret(token), t0);
    await store.create(secret(token), at(1));
    await expect(store.create({ ...secret(token), scopes: ['b'] }, at(1))).rejects.toMatchObject({
      code: 'RequestConflict',
      message: 'Secret already exists with different definition',
    });
  });

  it('never arms a redeemed or removed token again, and says why', async () => {
    for (const spend of [
      (token: string) => store.redeem(token, at(1)),
      (token: string) => store.discard(token, at(1)),
    ]) {
      const token = newToken();
      await store.create(secret(token), t0);
      await spend(token);
      await expect(store.create(secret(token), at(2))).rejects.toMatchObject({
        code: 'RequestConflict',
        message: 'This secret was already redeemed or removed: a token is single-use',
      });
      expect(await store.redeem(token, at(3))).toBeUndefined();
    }
  });

  it('encrypts secret data at rest and wipes it once redeemed', async () => {
    const token = newToken();
    await store.create(secret(token), t0);
    const [row] = await test.db.query<{ secrets: string }>('SELECT secrets FROM secrets WHERE token = $1', [
      token,
    ]);
    expect(row?.secrets).toMatch(/^aes-256-gcm:v1:/);
    expect(row?.secrets).not.toContain('hunter2');
    await store.redeem(token, at(1));
    const [after] = await test.db.query<{ secrets: string }>('SELECT secrets FROM secrets WHERE token = $1', [
      token,
    ]);
    expect(after?.secrets).toBe('{}');
  });

  it('discards, counts outstanding secrets and deletes expired rows', async () => {
    const kept = newToken();
    const dropped = newToken();
    await store.create({ ...secret(kept), workerType: 'wt-count' }, t0);
    await store.create({ ...secret(dropped), workerType: 'wt-count' }, t0);
    expect(await store.outstanding('wt-count', at(1))).toBe(2);
    await store.discard(dropped, at(1));
    expect(await store.redeem(dropped, at(2))).toBeUndefined();
    expect(await store.outstanding('wt-count', at(2))).toBe(1);
    expect(await store.deleteExpired(at(41))).toBeGreaterThanOrEqual(2);
    expect(await store.recordCheckIn('i-0123456789abcdef1', kept, at(42))).toBeUndefined();
  });

  it('records one check-in per unexpired token, the first, and deletes it with its secret', async () => {
    const token = newToken();
    await store.create({ ...secret(token, 10), workerType: 'wt-checkin' }, t0);
    const recorded = () =>
      test.db.query('SELECT instance_id FROM instance_checkins WHERE token = $1', [token]);
    expect(await store.recordCheckIn('i-00000001', token, at(1))).toBe('wt-checkin');
    await store.redeem(token, at(2));
    // Still known after getSecret, but a token vouches for one instance only: no row for another.
    expect(await store.recordCheckIn('i-00000002', token, at(3))).toBe('wt-checkin');
    expect(await store.recordCheckIn('i-00000001', token, at(4))).toBe('wt-checkin');
    expect(await recorded()).toEqual([{ instance_id: 'i-00000001' }]);
    // Expired but not yet deleted: unknown, as the route promises.
    expect(await store.recordCheckIn('i-00000003', token, at(11))).toBeUndefined();
    await store.deleteExpired(at(12));
    expect(await recorded()).toEqual([]);
  });

  it('refuses to read encrypted secrets without the key', async () => {
    const token = newToken();
    await store.create(secret(token), t0);
    const keyless = new SecretStore(test.db, new SecretCipher(undefined));
    await expect(keyless.redeem(token, at(1))).rejects.toThrow('SECRETS_ENCRYPTION_KEY');
  });
});
