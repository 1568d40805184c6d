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

/**
 * Writes what the loop observed in EC2, per region. It remembers what it last wrote and only writes the
 * difference, so a large, quiet fleet costs little per iteration.
 */
export class ObservationStore {
  private readonly written = new Map<
    string,
    { instances: Map<string, string>; requests: Map<string, string> }
  >();

  constructor(private readonly db: Database) {}

  /** Replaces the region's observed instances and spot requests with these (only for a complete describe). */
  async replaceRegion(
    region: string,
    instances: readonly InstanceRow[],
    requests: readonly SpotRequestRow[],
    now: Date,
  ) {
    const previous = this.written.get(region) ?? (await this.load(region));
    const instanceDiff = diff(
      previous.instances,
      instances,
      (i) => i.instanceId,
      (i) => ({ ...i, region }),
    );
    const requestDiff = diff(
      previous.requests,
      requests,
      (r) => r.spotRequestId,
      (r) => ({ ...r, region }),
    );
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
    this.written.set(region, { instances: instanceDiff.next, requests: requestDiff.next });
  }

  /** Forgets what was written (another process may have written since: e.g. after losing leadership). */
  reset(): void {
    this.written.clear();
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
    // Unknown fingerprints: every row present now is rewritten once, every row absent is deleted.
    return {
      instances: new Map(instances.map((r) => [r.id, ''])),
      requests: new Map(requests.map((r) => [r.id, ''])),
    };
  }
}

function diff<T>(
  previous: Map<string, string>,
  rows: readonly T[],
  idOf: (row: T) => string,
  normalise: (row: T) => T,
) {
  const next = new Map<string, string>();
  const changed: T[] = [];
  for (const row of rows) {
    const id = idOf(row);
    const fingerprint = JSON.stringify(normalise(row));
    next.set(id, fingerprint);
    if (previous.get(id) !== fingerprint) changed.push(row);
  }
  const gone = [...previous.keys()].filter((id) => !next.has(id));
  return { next, changed, gone };
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
