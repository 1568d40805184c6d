import type { Database } from './database.js';

export interface InstanceRow {
  instanceId: string;
  region: string;
  workerType: string;
  instanceType: string;
  zone: string;
  state: string;
  market: string;
  imageId: string;
  launchTime: number;
  spotRequestId: string | null;
  clientToken: string | null;
  stateReason: string | null;
  hourlyPrice: number | null;
}

export interface SpotRequestRow {
  spotRequestId: string;
  region: string;
  workerType: string;
  instanceType: string;
  zone: string | null;
  state: string;
  statusCode: string;
  createTime: number;
  instanceId: string | null;
  maxPrice: number;
}

/** Rows last written, by id; `undefined` for a row in the database whose contents are unknown. */
type Written<T> = Map<string, T | undefined>;

/**
 * Writes what the loop observed in EC2, per region. It remembers what it last wrote and only writes the
 * difference, so a large, quiet fleet costs little per iteration. It keeps the rows it is given: callers
 * hand over fresh rows and never change them afterwards.
 */
export class ObservationStore {
  private readonly written = new Map<
    string,
    { instances: Written<InstanceRow>; requests: Written<SpotRequestRow> }
  >();
  private othersForgotten = false;

  constructor(private readonly db: Database) {}

  /** Replaces the region's observed instances and spot requests with these (only for a complete describe). */
  async replaceRegion(
    region: string,
    instances: readonly InstanceRow[],
    requests: readonly SpotRequestRow[],
    now: Date,
  ) {
    const previous = this.written.get(region) ?? (await this.load(region));
    const instanceDiff = diff(previous.instances, instances, (i) => i.instanceId);
    const requestDiff = diff(previous.requests, requests, (r) => r.spotRequestId);
    const writes =
      instanceDiff.gone.length +
      requestDiff.gone.length +
      instanceDiff.changed.length +
      requestDiff.changed.length;
    // A quiet region (the usual case between launches) costs no transaction at all.
    if (writes > 0) await this.write(instanceDiff, requestDiff, now);
    this.written.set(region, { instances: instanceDiff.next, requests: requestDiff.next });
  }

  private async write(
    instanceDiff: { gone: string[]; changed: InstanceRow[] },
    requestDiff: { gone: string[]; changed: SpotRequestRow[] },
    now: Date,
  ) {
    await this.db.transaction(async (tx) => {
      if (instanceDiff.gone.length > 0) {
        await tx.query('DELETE FROM observed_instances WHERE instance_id = ANY($1::text[])', [
          instanceDiff.gone,
        ]);
      }
      if (requestDiff.gone.length > 0) {
        await tx.query('DELETE FROM observed_spot_requests WHERE spot_request_id = ANY($1::text[])', [
          requestDiff.gone,
        ]);
      }
      if (instanceDiff.changed.length > 0) await upsertInstances(tx, instanceDiff.changed, now);
      if (requestDiff.changed.length > 0) await upsertRequests(tx, requestDiff.changed, now);
    });
  }

  /**
   * Deletes the rows of regions not in `regions` (dropped from ALLOWED_REGIONS: never described again, so
   * their rows would go stale for ever), once per leadership. Returns the live instances forgotten, by region.
   */
  async forgetOtherRegions(regions: readonly string[]): Promise<Map<string, number>> {
    const live = new Map<string, number>();
    if (this.othersForgotten) return live;
    const gone = await this.db.transaction(async (tx) => {
      await tx.query('DELETE FROM observed_spot_requests WHERE NOT (region = ANY($1::text[]))', [regions]);
      return tx.query<{ region: string; state: string }>(
        'DELETE FROM observed_instances WHERE NOT (region = ANY($1::text[])) RETURNING region, state',
        [regions],
      );
    });
    this.othersForgotten = true;
    for (const { region, state } of gone) {
      if (state === 'pending' || state === 'running') live.set(region, (live.get(region) ?? 0) + 1);
    }
    return live;
  }

  /** Forgets what was written (another process may have written since: e.g. after losing leadership). */
  reset(): void {
    this.written.clear();
    this.othersForgotten = false;
  }

  private async load(region: string) {
    const [instances, requests] = await Promise.all([
      this.db.query<{ id: string }>('SELECT instance_id AS id FROM observed_instances WHERE region = $1', [
        region,
      ]),
      this.db.query<{ id: string }>(
        'SELECT spot_request_id AS id FROM observed_spot_requests WHERE region = $1',
        [region],
      ),
    ]);
    // Unknown contents: every row present now is rewritten once, every row absent is deleted.
    return {
      instances: new Map<string, InstanceRow | undefined>(instances.map((r) => [r.id, undefined])),
      requests: new Map<string, SpotRequestRow | undefined>(requests.map((r) => [r.id, undefined])),
    };
  }
}

/**
 * Rows to write (new or changed) and ids to delete. Rows are compared field by field: comparing
 * serialised rows cost ~4 times as much CPU at 50,000 instances, and left as much garbage.
 */
function diff<T extends InstanceRow | SpotRequestRow>(
  previous: Written<T>,
  rows: readonly T[],
  idOf: (row: T) => string,
) {
  const next: Written<T> = new Map();
  const changed: T[] = [];
  for (const row of rows) {
    const id = idOf(row);
    next.set(id, row);
    const before = previous.get(id);
    if (before === undefined || !sameRow(before, row)) changed.push(row);
  }
  const gone = [...previous.keys()].filter((id) => !next.has(id));
  return { next, changed, gone };
}

/** Rows of one type have every field (absent values are `null`), so comparing one side's fields is enough. */
function sameRow<T extends object>(a: T, b: T): boolean {
  for (const key in b) if (a[key] !== b[key]) return false;
  return true;
}

type Tx = { query: Database['query'] };

async function upsertInstances(tx: Tx, rows: readonly InstanceRow[], now: Date) {
  const col = <K extends keyof InstanceRow>(key: K) => rows.map((r) => r[key]);
  await tx.query(
    `INSERT INTO observed_instances (instance_id, region, worker_type, instance_type, zone, state, market, image_id,
       launch_time, spot_request_id, client_token, state_reason, hourly_price, observed_at)
     SELECT u.*, $14::timestamptz FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
       $7::text[], $8::text[], $9::timestamptz[], $10::text[], $11::text[], $12::text[], $13::float8[]) AS u
     ON CONFLICT (instance_id) DO UPDATE SET region = EXCLUDED.region, worker_type = EXCLUDED.worker_type,
       instance_type = EXCLUDED.instance_type, zone = EXCLUDED.zone, state = EXCLUDED.state, market = EXCLUDED.market,
       image_id = EXCLUDED.image_id, launch_time = EXCLUDED.launch_time, spot_request_id = EXCLUDED.spot_request_id,
       client_token = EXCLUDED.client_token, state_reason = EXCLUDED.state_reason, hourly_price = EXCLUDED.hourly_price,
       observed_at = EXCLUDED.observed_at`,
    [
      col('instanceId'),
      col('region'),
      col('workerType'),
      col('instanceType'),
      col('zone'),
      col('state'),
      col('market'),
      col('imageId'),
      rows.map((r) => new Date(r.launchTime)),
      col('spotRequestId'),
      col('clientToken'),
      col('stateReason'),
      col('hourlyPrice'),
      now,
    ],
  );
}

async function upsertRequests(tx: Tx, rows: readonly SpotRequestRow[], now: Date) {
  const col = <K extends keyof SpotRequestRow>(key: K) => rows.map((r) => r[key]);
  await tx.query(
    `INSERT INTO observed_spot_requests (spot_request_id, region, worker_type, instance_type, zone, state, status_code,
       create_time, instance_id, max_price, observed_at)
     SELECT u.*, $11::timestamptz FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
       $7::text[], $8::timestamptz[], $9::text[], $10::float8[]) AS u
     ON CONFLICT (spot_request_id) DO UPDATE SET region = EXCLUDED.region, worker_type = EXCLUDED.worker_type,
       instance_type = EXCLUDED.instance_type, zone = EXCLUDED.zone, state = EXCLUDED.state,
       status_code = EXCLUDED.status_code, create_time = EXCLUDED.create_time, instance_id = EXCLUDED.instance_id,
       max_price = EXCLUDED.max_price, observed_at = EXCLUDED.observed_at`,
    [
      col('spotRequestId'),
      col('region'),
      col('workerType'),
      col('instanceType'),
      col('zone'),
      col('state'),
      col('statusCode'),
      rows.map((r) => new Date(r.createTime)),
      col('instanceId'),
      col('maxPrice'),
      now,
    ],
  );
}
