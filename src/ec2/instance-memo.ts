import { hash } from 'node:crypto';

/**
 * What the lean DescribeInstances reader made of instances it has read before, with a digest of the exact bytes
 * each was read from. Most of a fleet is unchanged from one describe to the next (a terminated instance stays
 * listed, unchanged, for about an hour), so an instance whose bytes are the same as those of one already read is
 * not read again. Reading is a function of the item's bytes alone, so a match gives what reading would.
 *
 * Entries are found by a key taken from the item (its first `instanceId`), then checked in full: if the page
 * holds, where an item starts, as many bytes as an item read before, with the same SHA-256 digest, reading
 * would end that item at the same place and make the same of it. A digest rather than the bytes themselves:
 * at 50,000 instances they are ~80 MB that would stay in memory (measured when the memo kept the items' text:
 * a third more peak RSS at scale).
 * Two generations bound the memory: a sweep (the pages up to one without a next token) moves every instance
 * it meets into the current generation; at its end, what it did not meet is dropped with the older one.
 */
interface Entry<T> {
  length: number;
  digest: string;
  value: T;
}

const ID_OPEN = Buffer.from('<instanceId>');
const ID_CLOSE = Buffer.from('</instanceId>');

/** How far into an item its key is looked for: EC2 writes `instanceId` first, and a page without one stays linear. */
const KEY_WINDOW = 512;

/**
 * The text of the first `instanceId` element among the first bytes of the item at `page[start, end)`, the
 * memo's key (a string of its own); undefined if none.
 */
export function memoKey(page: Uint8Array, start: number, end = page.length): string | undefined {
  const window = Buffer.from(page.buffer, page.byteOffset + start, Math.min(end, start + KEY_WINDOW) - start);
  const open = window.indexOf(ID_OPEN);
  if (open < 0) return undefined;
  const close = window.indexOf(ID_CLOSE, open);
  return close < 0 ? undefined : window.toString('utf8', open + ID_OPEN.length, close);
}

function digestOf(page: Uint8Array, start: number, end: number): string {
  return hash('sha256', page.subarray(start, end), 'base64');
}

export class InstanceMemo<T> {
  private current = new Map<string, Entry<T>>();
  private previous = new Map<string, Entry<T>>();

  /**
   * What was read from the item that starts at `page[start]`, and where that item ends, if the page holds
   * there the very bytes it was read from.
   */
  find(key: string, page: Uint8Array, start: number): { value: T; end: number } | undefined {
    const entry = this.current.get(key) ?? this.previous.get(key);
    if (entry === undefined) return undefined;
    const end = start + entry.length;
    if (end > page.length || digestOf(page, start, end) !== entry.digest) return undefined;
    this.current.set(key, entry);
    return { value: entry.value, end };
  }

  /** Keeps `value`, read from the item `page[start, end)`. */
  keep(key: string, page: Uint8Array, start: number, end: number, value: T): void {
    this.current.set(key, { length: end - start, digest: digestOf(page, start, end), value });
  }

  /** A sweep ended: entries it did not meet are dropped. */
  endSweep(): void {
    this.previous = this.current;
    this.current = new Map();
  }

  get size(): number {
    return this.current.size + this.previous.size;
  }
}
