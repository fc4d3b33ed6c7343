/**
 * The last encoded messages of one channel, by sequence number, kept so a
 * reconnecting peer can resume instead of needing a snapshot: at most
 * `capacity` messages and at most `maxBytes` bytes of them (the newest
 * message is kept whatever its size). Sequence numbers are pushed
 * contiguously (1, 2, 3, …).
 */
export class RetainedLog {
  private entries: Buffer[] = [];
  private head = 0;
  private last = 0;
  private bytes = 0;

  constructor(
    private readonly capacity: number,
    private readonly maxBytes = Number.POSITIVE_INFINITY,
  ) {}

  /** Bytes of the retained messages. */
  get byteLength(): number {
    return this.bytes;
  }

  /** Sequence number of the oldest retained message; `lastSeq + 1` when empty. */
  get firstSeq(): number {
    return this.last - this.size + 1;
  }

  get size(): number {
    return this.entries.length - this.head;
  }

  push(seq: number, frame: Buffer): void {
    this.last = seq;
    if (this.capacity === 0) return;
    // A small Buffer is a slice of an 8 KiB pool slab; keeping it would keep the whole slab alive (10,000
    // retained 300-byte frames held 39 MiB). Retain an exact-size copy instead.
    this.entries.push(frame.buffer.byteLength > frame.byteLength ? ownCopy(frame) : frame);
    this.bytes += frame.byteLength;
    while (this.size > this.capacity || (this.bytes > this.maxBytes && this.size > 1)) {
      this.bytes -= this.entries[this.head]!.byteLength;
      this.entries[this.head++] = EMPTY;
    }
    // Compact now and then, so dropping the oldest stays O(1) amortised.
    if (this.head >= 1024 && this.head >= this.size) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }

  /** True when every message from `seq` on is still retained. */
  covers(seq: number): boolean {
    return seq >= this.firstSeq;
  }

  /** Retained messages with sequence ≥ `seq`, oldest first. */
  from(seq: number): Buffer[] {
    const start = this.head + Math.max(0, seq - this.firstSeq);
    return this.entries.slice(start);
  }
}

const EMPTY = Buffer.alloc(0);

/** `frame`'s bytes in a buffer of its own (not a slice of a shared pool slab). */
function ownCopy(frame: Buffer): Buffer {
  const own = Buffer.allocUnsafeSlow(frame.byteLength);
  frame.copy(own);
  return own;
}
