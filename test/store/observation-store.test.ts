import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type InstanceRow,
  ObservationStore,
  type SpotRequestRow,
} from '../../src/store/observation-store.js';
import { engines, type TestDatabase } from '../helpers/databases.js';

const t0 = new Date('2026-01-01T00:00:00.000Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);

const instance = (instanceId: string, changes: Partial<InstanceRow> = {}): InstanceRow => ({
  instanceId,
  region: 'us-west-2',
  workerType: 'wt',
  instanceType: 'c5.large',
  zone: 'us-west-2a',
  state: 'running',
  market: 'spot',
  imageId: 'ami-1',
  launchTime: t0.getTime(),
  spotRequestId: null,
  clientToken: null,
  stateReason: null,
  hourlyPrice: 0.04,
  ...changes,
});

const request = (spotRequestId: string, changes: Partial<SpotRequestRow> = {}): SpotRequestRow => ({
  spotRequestId,
  region: 'us-west-2',
  workerType: 'wt',
  instanceType: 'c5.large',
  zone: null,
  state: 'open',
  statusCode: 'pending-evaluation',
  createTime: t0.getTime(),
  instanceId: null,
  maxPrice: 0.2,
  ...changes,
});

describe.each(engines())('ObservationStore on $name', (engine) => {
  let test: TestDatabase;

  beforeAll(async () => {
    test = await engine.open();
  });
  afterAll(() => test.dispose());

  /** Each row's state and when it was last written. */
  async function stored(region: string) {
    const instances = await test.db.query<{ id: string; state: string; observed_at: Date }>(
      'SELECT instance_id AS id, state, observed_at FROM observed_instances WHERE region = $1 ORDER BY 1',
      [region],
    );
    const requests = await test.db.query<{ id: string; state: string; observed_at: Date }>(
      'SELECT spot_request_id AS id, state, observed_at FROM observed_spot_requests WHERE region = $1 ORDER BY 1',
      [region],
    );
    const summary = (rows: typeof instances) =>
      Object.fromEntries(rows.map((r) => [r.id, `${r.state}@${new Date(r.observed_at).toISOString()}`]));
    return { instances: summary(instances), requests: summary(requests) };
  }

  it('writes only rows that are new or changed, and deletes rows no longer observed', async () => {
    const store = new ObservationStore(test.db);
    await store.replaceRegion(
      'us-west-2',
      [instance('i-1'), instance('i-2'), instance('i-3')],
      [request('sir-1'), request('sir-2')],
      at(0),
    );
    // Fresh, equal rows (as every iteration builds them) are not written again; a changed field is.
    await store.replaceRegion(
      'us-west-2',
      [instance('i-1'), instance('i-2', { hourlyPrice: 0.05 }), instance('i-4')],
      [request('sir-1', { state: 'active', instanceId: 'i-4' })],
      at(1),
    );
    expect(await stored('us-west-2')).toEqual({
      instances: {
        'i-1': `running@${at(0).toISOString()}`,
        'i-2': `running@${at(1).toISOString()}`,
        'i-4': `running@${at(1).toISOString()}`,
      },
      requests: { 'sir-1': `active@${at(1).toISOString()}` },
    });
  });

  it('after a restart, rewrites what it finds once and deletes what is gone', async () => {
    await new ObservationStore(test.db).replaceRegion(
      'eu-central-1',
      [instance('i-10', { region: 'eu-central-1' }), instance('i-11', { region: 'eu-central-1' })],
      [],
      at(0),
    );
    const restarted = new ObservationStore(test.db);
    const rows = [instance('i-10', { region: 'eu-central-1' })];
    await restarted.replaceRegion('eu-central-1', rows, [], at(5));
    await restarted.replaceRegion('eu-central-1', [instance('i-10', { region: 'eu-central-1' })], [], at(6));
    expect((await stored('eu-central-1')).instances).toEqual({ 'i-10': `running@${at(5).toISOString()}` });

    // After reset (another process may have written), it reloads and rewrites again.
    restarted.reset();
    await restarted.replaceRegion(
      'eu-central-1',
      [instance('i-10', { region: 'eu-central-1', state: 'shutting-down' })],
      [],
      at(7),
    );
    expect((await stored('eu-central-1')).instances).toEqual({
      'i-10': `shutting-down@${at(7).toISOString()}`,
    });
  });

  it('writes a field that changed to or from null', async () => {
    const store = new ObservationStore(test.db);
    await store.replaceRegion('ap-south-1', [instance('i-20', { region: 'ap-south-1' })], [], at(0));
    await store.replaceRegion(
      'ap-south-1',
      [instance('i-20', { region: 'ap-south-1', stateReason: 'Server.SpotInstanceTermination: gone' })],
      [],
      at(1),
    );
    const [row] = await test.db.query<{ state_reason: string | null; observed_at: Date }>(
      'SELECT state_reason, observed_at FROM observed_instances WHERE instance_id = $1',
      ['i-20'],
    );
    expect(row?.state_reason).toBe('Server.SpotInstanceTermination: gone');
    expect(new Date(row?.observed_at ?? 0).toISOString()).toBe(at(1).toISOString());
  });

  it('forgets regions no longer allowed, once per leadership, counting their live instances', async () => {
    const kept = ['us-west-2', 'eu-central-1', 'ap-south-1', 'sa-east-1'];
    const store = new ObservationStore(test.db);
    const dropped = (id: string, state: string) => instance(id, { region: 'ca-central-1', state });
    await store.replaceRegion(
      'ca-central-1',
      [dropped('i-30', 'running'), dropped('i-31', 'pending'), dropped('i-32', 'terminated')],
      [request('sir-30', { region: 'ca-central-1' })],
      at(0),
    );
    await store.replaceRegion('sa-east-1', [instance('i-40', { region: 'sa-east-1' })], [], at(0));
    expect([...(await store.forgetOtherRegions(kept))]).toEqual([['ca-central-1', 2]]);
    expect(await stored('ca-central-1')).toEqual({ instances: {}, requests: {} });
    expect(Object.keys((await stored('sa-east-1')).instances)).toEqual(['i-40']);
    // Once per leadership: a later call asks nothing of the database.
    await store.replaceRegion('ca-central-1', [dropped('i-33', 'running')], [], at(1));
    expect((await store.forgetOtherRegions(kept)).size).toBe(0);
    store.reset();
    expect([...(await store.forgetOtherRegions(kept))]).toEqual([['ca-central-1', 1]]);
  });
});
