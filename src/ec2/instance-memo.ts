import { hash } from 'node:crypto';

/**
 * What the lean DescribeInstances reader made of instances it has read before, with a digest of the exact XML
 * each was read from. Most of a fleet is unchanged from one describe to the next (a terminated instance stays
 * listed, unchanged, for about an hour), so an instance whose XML is the same as one already read is not read
 * again. Reading is a function of the item's XML alone, so a match gives what reading would.
 *
 * Entries are found by a key taken from the XML (the item's first `instanceId`), then checked in full: if the
 * page holds, where an item starts, as many characters as an item read before, with the same SHA-256 digest,
 * reading would end that item at the same place and make the same of it. A digest rather than the XML itself:
 * at 50,000 instances the XML is ~80 MB that would stay on the heap (measured: a third more peak RSS at scale).
 * Two generations bound the memory: a sweep (the pages up to one without a next token) moves every instance
 * it meets into the current generation; at its end, what it did not meet is dropped with the older one.
 */
interface Entry<T> {
  key: string;
  length: number;
  digest: string;
  value: T;
}

const ID_OPEN = '<instanceId>';
const ID_CLOSE = '</instanceId>';

/** How far into an item its key is looked for: EC2 writes `instanceId` first, and a page without one stays linear. */
const KEY_WINDOW = 512;

/**
 * The text of the first `instanceId` element among the first characters of the item at `xml[start, end)`,
 * the memo's key; undefined if none.
 */
export function memoKey(xml: string, start: number, end = xml.length): string | undefined {
  // A slice is a view, nothing copied; searching it stops at its end.
  const window = xml.slice(start, Math.min(end, start + KEY_WINDOW));
  const open = window.indexOf(ID_OPEN);
  if (open < 0) return undefined;
  const close = window.indexOf(ID_CLOSE, open);
  return close < 0 ? undefined : window.slice(open + ID_OPEN.length, close);
}

/**
 * Hashes the text's UTF-8 bytes, one-to-one with the text: a page decoded from UTF-8 has no lone surrogates,
 * the only characters that encoding would merge.
 */
function digestOf(xml: string, start: number, end: number): string {
  return hash('sha256', xml.slice(start, end), 'base64');
}

export class InstanceMemo<T> {
  private current = new Map<string, Entry<T>>();
  private previous = new Map<string, Entry<T>>();

  /**
   * What was read from the item that starts at `xml[start]`, and where that item ends, if the page holds
   * there the very XML it was read from.
   */
  find(key: string, xml: string, start: number): { value: T; end: number } | undefined {
    const entry = this.current.get(key) ?? this.previous.get(key);
    if (entry === undefined) return undefined;
    const end = start + entry.length;
    if (end > xml.length || digestOf(xml, start, end) !== entry.digest) return undefined;
    // The entry's own key: `key` is cut from the page, and kept it would keep the page alive.
    this.current.set(entry.key, entry);
    return { value: entry.value, end };
  }

  /**
   * Keeps `value`, read from the item `xml[start, end)`. `key` must be a string of its own: a slice of the
   * page would keep the page alive.
   */
  keep(key: string, xml: string, start: number, end: number, value: T): void {
    this.current.set(key, { key, length: end - start, digest: digestOf(xml, start, end), value });
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
