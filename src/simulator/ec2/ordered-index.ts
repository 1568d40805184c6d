/**
 * Items in creation order (`seq` ascending) with O(1) lookup by id, O(log n) resume from a position and
 * amortised O(1) removal, so a paginated Describe over n items costs O(n) in total, never O(n^2).
 */
export class OrderedIndex<T extends { seq: number }> {
  private readonly byId = new Map<string, T>();
  /** Sorted by seq; removed items stay as holes until compaction. */
  private items: Array<T | undefined> = [];
  /** seq of each position, kept for holes too, so binary search never walks. */
  private seqs: number[] = [];
  private holes = 0;
  private lastSeq = Number.NEGATIVE_INFINITY;
  private readonly positions = new Map<T, number>();

  constructor(private readonly idOf: (item: T) => string) {}

  get size(): number {
    return this.byId.size;
  }

  get(id: string): T | undefined {
    return this.byId.get(id);
  }

  /** Items must be added in increasing `seq`. */
  add(item: T): void {
    if (item.seq <= this.lastSeq) throw new Error('OrderedIndex: items must be added in seq order');
    this.lastSeq = item.seq;
    this.byId.set(this.idOf(item), item);
    this.positions.set(item, this.items.length);
    this.items.push(item);
    this.seqs.push(item.seq);
  }

  remove(item: T): void {
    const position = this.positions.get(item);
    if (position === undefined) return;
    this.positions.delete(item);
    this.byId.delete(this.idOf(item));
    this.items[position] = undefined;
    this.holes++;
    if (this.holes > 64 && this.holes * 2 > this.items.length) this.compact();
  }

  /** Visits items with seq > `afterSeq` in order until `visit` returns false. */
  scanAfter(afterSeq: number, visit: (item: T) => boolean): void {
    for (let i = this.firstPositionAfter(afterSeq); i < this.items.length; i++) {
      const item = this.items[i];
      if (item !== undefined && !visit(item)) return;
    }
  }

  values(): IterableIterator<T> {
    return this.byId.values();
  }

  private firstPositionAfter(seq: number): number {
    let low = 0;
    let high = this.items.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((this.seqs[middle] ?? 0) <= seq) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  private compact(): void {
    const live = this.items.filter((item): item is T => item !== undefined);
    this.items = live;
    this.seqs = live.map((item) => item.seq);
    this.holes = 0;
    live.forEach((item, index) => {
      this.positions.set(item, index);
    });
  }
}
