/**
 * Real spot prices from a SpotLake CSV (optionally gzipped), read at run time from a path. The file's
 * licence (CC BY-NC) forbids committing it, so it never is: benchmarks point at it.
 * Columns: Time,InstanceType,Region,AZ,SPS,IF,OndemandPrice,SpotPrice,Savings (AZ is a zone id).
 */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { type PricePoint, RecordedPriceSeries, roundSpotPrice } from './spot-price-series.js';

export class SpotPriceTrace {
  /** Key `<region>|<zone id>|<instance type>`, points in trace time, price changes only. */
  private readonly series = new Map<string, PricePoint[]>();
  readonly firstTime: number;
  readonly lastTime: number;

  constructor(
    rows: Iterable<{ time: number; instanceType: string; region: string; zoneId: string; price: number }>,
  ) {
    let first = Number.POSITIVE_INFINITY;
    let last = Number.NEGATIVE_INFINITY;
    for (const row of rows) {
      const key = `${row.region}|${row.zoneId}|${row.instanceType}`;
      const points = this.series.get(key) ?? [];
      points.push({ time: row.time, price: roundSpotPrice(row.price) });
      this.series.set(key, points);
      first = Math.min(first, row.time);
      last = Math.max(last, row.time);
    }
    for (const [key, points] of this.series) {
      points.sort((a, b) => a.time - b.time);
      this.series.set(
        key,
        points.filter((point, i) => i === 0 || point.price !== points[i - 1]?.price),
      );
    }
    this.firstTime = first;
    this.lastTime = last;
  }

  static parse(csv: string): SpotPriceTrace {
    const lines = csv.split('\n');
    const header = (lines[0] ?? '').trim().split(',');
    const column = (name: string) => {
      const index = header.indexOf(name);
      if (index < 0) throw new Error(`SpotLake trace: missing column ${name}`);
      return index;
    };
    const [time, type, region, zone, price] = ['Time', 'InstanceType', 'Region', 'AZ', 'SpotPrice'].map(
      column,
    );
    const rows = [];
    for (const line of lines.slice(1)) {
      const cells = line.trim().split(',');
      if (cells.length < header.length) continue;
      const at = Date.parse(`${(cells[time as number] ?? '').replace(' ', 'T')}Z`);
      const value = Number(cells[price as number]);
      if (!Number.isFinite(at) || !(value > 0)) continue;
      rows.push({
        time: at,
        instanceType: cells[type as number] ?? '',
        region: cells[region as number] ?? '',
        zoneId: cells[zone as number] ?? '',
        price: value,
      });
    }
    return new SpotPriceTrace(rows);
  }

  static async load(path: string): Promise<SpotPriceTrace> {
    const raw = await readFile(path);
    const text = path.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
    return SpotPriceTrace.parse(text);
  }

  /** The series moved so that the trace's first instant falls at `worldStart`; undefined if absent. */
  seriesFor(
    region: string,
    zoneId: string,
    instanceType: string,
    worldStart: number,
  ): RecordedPriceSeries | undefined {
    const points = this.series.get(`${region}|${zoneId}|${instanceType}`);
    if (points === undefined) return undefined;
    const offset = worldStart - this.firstTime;
    return new RecordedPriceSeries(
      points.map((point) => ({ time: point.time + offset, price: point.price })),
    );
  }

  get seriesCount(): number {
    return this.series.size;
  }
}
