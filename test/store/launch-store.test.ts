import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LaunchStore, type NewLaunch } from '../../src/store/launch-store.js';
import { type InstanceRow, ObservationStore } from '../../src/store/observation-store.js';
import { SecretCipher } from '../../src/store/secret-cipher.js';
import { SecretStore } from '../../src/store/secret-store.js';
import { engines, type TestDatabase } from '../helpers/databases.js';

const t0 = new Date('2026-01-01T00:00:00.000Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);

const observedInstance = (instanceId: string): InstanceRow => ({
  instanceId,
  region: 'us-west-2',
  workerType: 'f',
  instanceType: 'c5.large',
  zone: 'us-west-2a',
  state: 'pending',
  market: 'spot',
  imageId: 'ami-1',
  launchTime: at(40).getTime(),
  spotRequestId: null,
  clientToken: null,
  stateReason: null,
  hourlyPrice: 0.04,
});

describe.each(engines())('LaunchStore on $name', (engine) => {
  let test: TestDatabase;
  let launches: LaunchStore;
  let secrets: SecretStore;
  let counter = 0;

  beforeAll(async () => {
    test = await engine.open();
    const cipher = new SecretCipher(randomBytes(32));
    launches = new LaunchStore(test.db, cipher);
    secrets = new SecretStore(test.db, cipher);
  });
  afterAll(() => test.dispose());

  const newLaunch = (workerType: string): NewLaunch => {
    const clientToken = `launch-${++counter}`;
    return {
      clientToken,
      workerType,
      region: 'us-west-2',
      zone: 'us-west-2a',
      instanceType: 'c5.large',
      market: 'spot',
      maxPrice: 0.2,
      hourlyPrice: 0.04,
      capacity: 1,
      request: {
        region: 'us-west-2',
        clientToken,
        launchSpec: { ImageId: 'ami-1', InstanceType: 'c5.large', KeyName: 'k', UserData: '' },
        market: 'spot',
        tags: {},
      },
    };
  };

  /** A launch EC2 accepted as `instanceId`, with its secret; returns the secret's token. */
  async function launchedAs(instanceId: string, workerType: string, now: Date) {
    const launch = newLaunch(workerType);
    const token = `secret-${launch.clientToken}`;
    await test.db.transaction(async (tx) => {
      await launches.record(tx, [launch], now);
      const secret = {
        token,
        workerType,
        secrets: {},
        scopes: [],
        expiration: at(600),
        launchToken: launch.clientToken,
      };
      await secrets.insert(tx, [secret], now);
    });
    await launches.markAllSubmitted(test.db, [{ clientToken: launch.clientToken, instanceId }], now);
    return token;
  }

  /** An instance calling instanceStarted with a secret's token. */
  async function checkIn(instanceId: string, token: string, workerType: string, now: Date) {
    expect(await secrets.recordCheckIn(instanceId, token, now)).toBe(workerType);
  }

  async function launched(workerType: string, minute: number, outcome: 'ok' | 'capacity' | 'invalid') {
    const launch = newLaunch(workerType);
    await test.db.transaction((tx) => launches.record(tx, [launch], at(minute)));
    if (outcome === 'ok')
      await launches.markAllSubmitted(
        test.db,
        [{ clientToken: launch.clientToken, instanceId: `i-${counter}` }],
        at(minute),
      );
    else {
      const kind = outcome === 'capacity' ? 'insufficient-capacity' : 'invalid-request';
      await launches.markFailed(test.db, launch.clientToken, { kind, code: kind, message: 'no' }, at(minute));
    }
    return launch;
  }

  // Long before the other tests' windows.
  it('settles a launch once: a second settlement (another process, after losing its lock) changes nothing', async () => {
    const launch = newLaunch('s');
    await test.db.transaction((tx) => launches.record(tx, [launch], at(-100)));
    const settle = (instanceId: string) =>
      launches.markAllSubmitted(test.db, [{ clientToken: launch.clientToken, instanceId }], at(-99));
    expect([...(await settle('i-first'))]).toEqual([launch.clientToken]);
    expect([...(await settle('i-second'))]).toEqual([]);
    const failure = { kind: 'unavailable', code: 'x', message: 'late' } as const;
    expect(await launches.markFailed(test.db, launch.clientToken, failure, at(-98))).toBe(false);
    const [row] = await test.db.query<{ state: string; instance_id: string }>(
      'SELECT state, instance_id FROM launches WHERE client_token = $1',
      [launch.clientToken],
    );
    expect(row).toEqual({ state: 'submitted', instance_id: 'i-first' });
    const unsettled = newLaunch('s');
    await test.db.transaction((tx) => launches.record(tx, [unsettled], at(-100)));
    expect(await launches.markFailed(test.db, unsettled.clientToken, failure, at(-98))).toBe(true);
  });

  it('lists the instances of a worker type’s launches recorded before a time, those EC2 accepted', async () => {
    const submitted = async (minute: number) => {
      const launch = newLaunch('phoenix');
      await test.db.transaction((tx) => launches.record(tx, [launch], at(minute)));
      await launches.markAllSubmitted(
        test.db,
        [{ clientToken: launch.clientToken, instanceId: `i-p${minute}` }],
        at(minute + 1),
      );
    };
    await submitted(-50);
    await submitted(-40);
    const unsent = newLaunch('phoenix');
    await test.db.transaction((tx) => launches.record(tx, [unsent], at(-45)));
    expect(await launches.instancesLaunchedBefore('phoenix', at(-45))).toEqual(['i-p-50']);
    expect((await launches.instancesLaunchedBefore('phoenix', at(-30))).sort()).toEqual(['i-p-40', 'i-p-50']);
    expect(await launches.instancesLaunchedBefore('other', at(-30))).toEqual([]);
  });

  // Long before the other tests' windows, and pools of their own (us-east-1).
  it('gives each pool its latest failure of the kinds asked for, since a time, whatever the worker type', async () => {
    const fail = async (zone: string, minute: number, kind: 'insufficient-capacity' | 'invalid-request') => {
      const launch = { ...newLaunch(`pool-${zone}`), region: 'us-east-1', zone };
      await test.db.transaction((tx) => launches.record(tx, [launch], at(minute)));
      await launches.markFailed(
        test.db,
        launch.clientToken,
        { kind, code: `code-${minute}`, message: 'm' },
        at(minute),
      );
    };
    await fail('us-east-1a', -80, 'insufficient-capacity'); // before `since`
    await fail('us-east-1b', -75, 'insufficient-capacity');
    await fail('us-east-1b', -72, 'insufficient-capacity'); // the pool's latest
    await fail('us-east-1c', -74, 'invalid-request'); // not a kind asked for
    const found = await launches.poolFailuresSince(at(-78), ['insufficient-capacity', 'price-too-low']);
    expect(found.filter((f) => f.region === 'us-east-1')).toEqual([
      {
        region: 'us-east-1',
        zone: 'us-east-1b',
        instanceType: 'c5.large',
        market: 'spot',
        kind: 'insufficient-capacity',
        code: 'code--72',
        message: 'm',
        maxPrice: 0.2,
        at: at(-72).getTime(),
      },
    ]);
  });

  it('gives the breaker every failure and, of a worker type that failed, only its latest success', async () => {
    await launched('old', -30, 'invalid'); // before the window
    await launched('a', 1, 'ok');
    await launched('a', 2, 'invalid');
    await launched('a', 3, 'ok');
    await launched('a', 4, 'capacity');
    await launched('a', 5, 'invalid');
    await launched('b', 2, 'ok'); // b never failed: nothing for a success to reset
    await launched('b', 6, 'ok');
    await launched('old', 6, 'ok'); // failed only before the window
    await launches.record(test.db, [newLaunch('c')], at(7)); // outcome unknown: not an outcome yet
    const outcomes = await launches.outcomesSince(at(0));
    expect(outcomes).toEqual([
      { workerType: 'a', at: at(2).getTime(), ok: false, errorKind: 'invalid-request' },
      { workerType: 'a', at: at(3).getTime(), ok: true, errorKind: null },
      { workerType: 'a', at: at(4).getTime(), ok: false, errorKind: 'insufficient-capacity' },
      { workerType: 'a', at: at(5).getTime(), ok: false, errorKind: 'invalid-request' },
    ]);
  });

  it('counts as in flight every launch with no known outcome and those submitted since the bound and not yet observed', async () => {
    const oldUnknown = newLaunch('f');
    await test.db.transaction((tx) => launches.record(tx, [oldUnknown], at(30)));
    await launched('f', 31, 'ok'); // submitted before the bound
    // Recorded before the bound, submitted after it (a retry after a crash): its instance is new.
    const retried = newLaunch('f');
    await test.db.transaction((tx) => launches.record(tx, [retried], at(20)));
    await launches.markAllSubmitted(
      test.db,
      [{ clientToken: retried.clientToken, instanceId: 'i-retried' }],
      at(38),
    );
    const recent = await launched('f', 40, 'ok');
    await launched('f', 40, 'ok'); // its instance is observed below
    const observedId = `i-${counter}`;
    await launched('f', 41, 'capacity');
    const newUnknown = newLaunch('f');
    await test.db.transaction((tx) => launches.record(tx, [newUnknown], at(42)));
    await new ObservationStore(test.db).replaceRegion(
      'us-west-2',
      [observedInstance(observedId)],
      [],
      at(43),
    );

    const inFlight = (await launches.inFlight(at(35))).filter((l) => l.workerType === 'f');
    expect(inFlight.map((l) => [l.clientToken, l.state])).toEqual([
      [retried.clientToken, 'submitted'],
      [oldUnknown.clientToken, 'recorded'],
      [recent.clientToken, 'submitted'],
      [newUnknown.clientToken, 'recorded'],
    ]);
  });

  it("puts a success after the failures of the same moment, so one pass's mixed launches reset the count", async () => {
    await launched('e', 20, 'ok');
    await launched('e', 20, 'invalid');
    await launched('e', 20, 'invalid');
    const outcomes = await launches.outcomesSince(at(20));
    expect(outcomes.filter((o) => o.workerType === 'e')).toEqual([
      { workerType: 'e', at: at(20).getTime(), ok: false, errorKind: 'invalid-request' },
      { workerType: 'e', at: at(20).getTime(), ok: false, errorKind: 'invalid-request' },
      { workerType: 'e', at: at(20).getTime(), ok: true, errorKind: null },
    ]);
  });

  it('counts an instance as checked in once it called instanceStarted or redeemed its launch secret', async () => {
    const viaSecret = await launched('d', 10, 'ok');
    const viaSecretId = `i-${counter}`;
    await launched('d', 10, 'ok');
    const silentId = `i-${counter}`;
    await secrets.insert(
      test.db,
      [
        {
          token: `secret-${viaSecret.clientToken}`,
          workerType: 'd',
          secrets: {},
          scopes: [],
          expiration: at(60),
          launchToken: viaSecret.clientToken,
        },
      ],
      at(10),
    );
    await secrets.redeem(`secret-${viaSecret.clientToken}`, at(11));
    await checkIn('i-started', await launchedAs('i-started', 'd', at(12)), 'd', at(12));
    const checkedIn = await launches.checkedIn([viaSecretId, silentId, 'i-started', 'i-unknown']);
    expect([...checkedIn].sort()).toEqual([viaSecretId, 'i-started'].sort());
  });

  it('counts a check-in only under the token of the instance’s own launch', async () => {
    const token = await launchedAs('i-owner', 'f', at(30));
    const own = await launchedAs('i-other', 'f', at(30));
    // The token is readable from user data: an old one must not vouch for another instance.
    await checkIn('i-other', token, 'f', at(31));
    await checkIn('i-made-up', token, 'f', at(31));
    expect([...(await launches.checkedIn(['i-owner', 'i-other', 'i-made-up']))]).toEqual([]);
    // A token records one instance, the first: its owner now counts only by redeeming it.
    await checkIn('i-owner', token, 'f', at(32));
    expect([...(await launches.checkedIn(['i-owner', 'i-other', 'i-made-up']))]).toEqual([]);
    await secrets.redeem(token, at(33));
    await checkIn('i-other', own, 'f', at(33));
    expect([...(await launches.checkedIn(['i-owner', 'i-other', 'i-made-up']))].sort()).toEqual([
      'i-other',
      'i-owner',
    ]);
  });

  it('asks the database only about instances not yet known to have checked in, and remembers only those asked about', async () => {
    const store = new LaunchStore(test.db, new SecretCipher(randomBytes(32)));
    await checkIn('i-early', await launchedAs('i-early', 'e', at(20)), 'e', at(20));
    expect([...(await store.checkedIn(['i-early', 'i-late']))]).toEqual(['i-early']);
    // Known: found again without the database (its row is gone); unknown: asked again, and now found.
    await test.db.query('DELETE FROM instance_checkins WHERE instance_id = $1', ['i-early']);
    await checkIn('i-late', await launchedAs('i-late', 'e', at(21)), 'e', at(21));
    expect([...(await store.checkedIn(['i-early', 'i-late']))].sort()).toEqual(['i-early', 'i-late']);
    // An instance no longer asked about is forgotten: asked about later, the database answers again.
    await store.checkedIn(['i-late']);
    expect([...(await store.checkedIn(['i-early', 'i-late']))]).toEqual(['i-late']);
  });
});
