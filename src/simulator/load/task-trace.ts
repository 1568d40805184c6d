/**
 * A recorded task stream (Firefox CI traces): 8-byte records, each an unsigned 32-bit big-endian arrival
 * time (ms since the capture began) and run time (ms), sorted by arrival. Read at run time from a path:
 * the trace files are not part of the repository.
 */
import { readFile } from 'node:fs/promises';

export interface TraceRecord {
  arrivalMs: number;
  durationMs: number;
}

const RECORD_BYTES = 8;

export class TaskTrace {
  readonly length: number;
  private readonly view: DataView;

  constructor(bytes: Uint8Array) {
    if (bytes.byteLength % RECORD_BYTES !== 0) {
      throw new RangeError(`A task trace is a sequence of 8-byte records; got ${bytes.byteLength} bytes`);
    }
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.length = bytes.byteLength / RECORD_BYTES;
    for (let i = 1; i < this.length; i++) {
      if (this.arrivalMs(i) < this.arrivalMs(i - 1)) {
        throw new RangeError(`The task trace is not sorted by arrival (record ${i})`);
      }
    }
  }

  static async load(path: string): Promise<TaskTrace> {
    return new TaskTrace(await readFile(path));
  }

  /** The 8-byte record format of `records` (tests and tools build small traces with it). */
  static encode(records: readonly TraceRecord[]): Buffer {
    const buffer = Buffer.alloc(records.length * RECORD_BYTES);
    records.forEach((record, i) => {
      buffer.writeUInt32BE(record.arrivalMs, i * RECORD_BYTES);
      buffer.writeUInt32BE(record.durationMs, i * RECORD_BYTES + 4);
    });
    return buffer;
  }

  arrivalMs(index: number): number {
    return this.view.getUint32(index * RECORD_BYTES, false);
  }

  durationMs(index: number): number {
    return this.view.getUint32(index * RECORD_BYTES + 4, false);
  }

  /** Index of the first record arriving at or after `ms` (`length` if none). */
  firstIndexAtOrAfter(ms: number): number {
    let low = 0;
    let high = this.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.arrivalMs(middle) < ms) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** Time from the first arrival to the last. */
  get spanMs(): number {
    return this.length === 0 ? 0 : this.arrivalMs(this.length - 1) - this.arrivalMs(0);
  }
}
