/**
 * A binary min-heap of items keyed by expiry time. Removal is lazy: the owner
 * leaves superseded entries in place, skips them when they surface and
 * rebuilds the heap when they pile up.
 */
export class ExpiryQueue<T> {
  private at: number[] = [];
  private items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  /** Expiry time of the earliest entry, or undefined when empty. */
  peekTime(): number | undefined {
    return this.at[0];
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(time: number, item: T): void {
    this.at.push(time);
    this.items.push(item);
    this.up(this.items.length - 1);
  }

  pop(): T | undefined {
    const n = this.items.length;
    if (n === 0) return undefined;
    const top = this.items[0];
    const lastAt = this.at.pop()!;
    const lastItem = this.items.pop()!;
    if (n > 1) {
      this.at[0] = lastAt;
      this.items[0] = lastItem;
      this.down(0);
    }
    return top;
  }

  /** Replaces the content with `entries`, in O(n). */
  rebuild(entries: Iterable<readonly [number, T]>): void {
    this.at = [];
    this.items = [];
    for (const [time, item] of entries) {
      this.at.push(time);
      this.items.push(item);
    }
    for (let i = (this.items.length >> 1) - 1; i >= 0; i--) this.down(i);
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.at[parent]! <= this.at[i]!) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    const n = this.items.length;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < n && this.at[left]! < this.at[smallest]!) smallest = left;
      if (right < n && this.at[right]! < this.at[smallest]!) smallest = right;
      if (smallest === i) return;
      this.swap(i, smallest);
      i = smallest;
    }
  }

  private swap(i: number, j: number): void {
    const t = this.at[i]!;
    this.at[i] = this.at[j]!;
    this.at[j] = t;
    const item = this.items[i]!;
    this.items[i] = this.items[j]!;
    this.items[j] = item;
  }
}
