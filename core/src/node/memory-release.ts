import type { Clock, TimerHandle } from '../clock';
import type { Logger } from '../logging/logger';

/** A full garbage collection, as `--expose-gc` provides it (`globalThis.gc`). */
export type FullGc = () => void;

/** Wait after the last request, so one collection follows a burst of bulk work. */
export const RELEASE_DELAY_MS = 200;
/** At most one collection in this long. */
export const RELEASE_MIN_INTERVAL_MS = 1_000;
/** How often the idle check samples the heap and the event loop's use. */
export const IDLE_CHECK_MS = 2_000;
/**
 * The loop counts as idle over a check interval below this share of busy
 * time. Measured on a node: idle 0.4-1.4 %, a primary serving 2,000
 * REGISTER/s 17-24 % (a forced collection there, 16-23 ms at 50 MiB of
 * heap, was the longest turn of its load).
 */
export const IDLE_LOOP_SHARE = 0.05;
/** The heap (or RSS) counts as grown past this factor of its size after the last collection (plus {@link GROWN_SLACK_BYTES}). */
export const GROWN_FACTOR = 1.5;
export const GROWN_SLACK_BYTES = 16 * 1024 * 1024;
/**
 * No forced collection above this much live heap: a full collection stops
 * the loop for about 45 ms at 50 MiB (100,000 bindings) but 200–320 ms at
 * 1,000,000 bindings, as long as three missed heartbeats at 0.1 s. Larger
 * heaps are left to V8's own, incremental collections.
 */
export const MAX_LIVE_HEAP_BYTES = 96 * 1024 * 1024;

/** What the idle check reads: the heap's size and the event loop's busy share since the last read. */
export interface MemorySample {
  heapTotal: number;
  heapUsed: number;
  rss: number;
  loopBusy: number;
}

/** Heap or RSS grown past {@link GROWN_FACTOR} × its size after the last collection, plus {@link GROWN_SLACK_BYTES}. */
function grown(now: MemorySample, baseline: MemorySample): boolean {
  return now.heapTotal > baseline.heapTotal * GROWN_FACTOR + GROWN_SLACK_BYTES || now.rss > baseline.rss * GROWN_FACTOR + GROWN_SLACK_BYTES;
}

const MiB = 1024 * 1024;

/**
 * Returns the memory that bulk work left behind (a resync of the whole
 * store, a journal load) to the OS. V8 keeps a heap it grew at its size
 * long after the garbage in it is gone: a node that took 100,000 bindings
 * in one resync held ~180 MiB RSS, ~130 MiB after one full collection.
 *
 * `request(reason)` asks for one full collection. It blocks the event
 * loop while it runs (tens of ms at 100k bindings), so it is asked for after
 * bulk work only, never per request. Once `watchIdle()` runs (in a node
 * process), the collection waits for a check interval ({@link IDLE_CHECK_MS})
 * in which the loop was idle (busy under {@link IDLE_LOOP_SHARE}): after the
 * work is over, when its garbage is garbage. The idle check also collects
 * by itself when the heap or the RSS grew by half (and 16 MiB) since the
 * last collection: after a burst of load (a backup catching up a backlog,
 * a primary that queued frames for a frozen peer), once the burst is over,
 * never during it, as a browser's memory reducer does. Without the idle
 * check (a test harness), it runs {@link RELEASE_DELAY_MS} after the last
 * request. At most one a {@link RELEASE_MIN_INTERVAL_MS}, and none above
 * {@link MAX_LIVE_HEAP_BYTES} of live heap. Without a `gc`
 * (a node started without `--expose-gc`; the agent starts its nodes with
 * it) nothing happens.
 */
export class MemoryRelease {
  private timer: TimerHandle | undefined;
  private lastAt = Number.NEGATIVE_INFINITY;
  private reasons = new Set<string>();
  private closed = false;
  private idleCheck: TimerHandle | undefined;
  /** The heap's size and RSS after the last collection (or when the idle check started). */
  private baseline: MemorySample = { heapTotal: 0, heapUsed: 0, rss: 0, loopBusy: 0 };

  constructor(
    private readonly clock: Clock,
    private readonly logger: Logger,
    /** null: never collect (as without `--expose-gc`). */
    private readonly gc: FullGc | null = exposedGc(),
    private readonly sample: () => MemorySample = processSample(),
  ) {}

  /** Checks every {@link IDLE_CHECK_MS} for a heap grown by a burst that is over (see the class comment). */
  watchIdle(): void {
    if (!this.gc || this.closed || this.idleCheck) return;
    this.timer?.cancel();
    this.timer = undefined;
    this.baseline = this.sample();
    this.idleCheck = this.clock.setInterval(() => {
      const now = this.sample();
      if (now.loopBusy >= IDLE_LOOP_SHARE || this.clock.now() - this.lastAt < RELEASE_MIN_INTERVAL_MS) return;
      if (now.heapUsed > MAX_LIVE_HEAP_BYTES) {
        this.reasons.clear(); // too large to stop the loop for: V8's own collections take care of it
        return;
      }
      if (this.reasons.size === 0 && grown(now, this.baseline)) this.reasons.add(`a burst that grew the heap to ${(now.heapTotal / MiB).toFixed(1)} MiB and RSS to ${(now.rss / MiB).toFixed(1)} MiB`);
      if (this.reasons.size > 0) this.run();
    }, IDLE_CHECK_MS);
  }

  /** Whether requests lead to a collection (a `gc` is available). */
  get enabled(): boolean {
    return this.gc !== null;
  }

  request(reason: string): void {
    if (!this.gc || this.closed) return;
    this.reasons.add(reason);
    if (this.idleCheck) return; // the next idle check runs it, once the work is over
    this.timer?.cancel();
    const wait = Math.max(RELEASE_DELAY_MS, this.lastAt + RELEASE_MIN_INTERVAL_MS - this.clock.now());
    this.timer = this.clock.setTimeout(() => this.run(), wait);
  }

  close(): void {
    this.closed = true;
    this.timer?.cancel();
    this.timer = undefined;
    this.idleCheck?.cancel();
    this.idleCheck = undefined;
  }

  private run(): void {
    this.timer = undefined;
    if (this.sample().heapUsed > MAX_LIVE_HEAP_BYTES) {
      this.reasons.clear();
      return;
    }
    const reasons = [...this.reasons].join(', ');
    this.reasons.clear();
    const before = process.memoryUsage();
    const started = performance.now();
    this.gc!();
    const ms = performance.now() - started;
    this.lastAt = this.clock.now();
    const after = process.memoryUsage();
    this.baseline = this.sample();
    this.logger.debug(
      `released memory after ${reasons}: heap ${(before.heapTotal / MiB).toFixed(1)} → ${(after.heapTotal / MiB).toFixed(1)} MiB, ` +
        `RSS ${(before.rss / MiB).toFixed(1)} → ${(after.rss / MiB).toFixed(1)} MiB, ${ms.toFixed(1)} ms`,
    );
  }
}

function exposedGc(): FullGc | null {
  const gc = (globalThis as { gc?: unknown }).gc;
  return typeof gc === 'function' ? () => (gc as () => void)() : null;
}

/** The process's heap size, and its event loop's busy share since the previous call. */
function processSample(): () => MemorySample {
  let last = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const delta = performance.eventLoopUtilization(now, last);
    last = now;
    const { heapTotal, heapUsed, rss } = process.memoryUsage();
    return { heapTotal, heapUsed, rss, loopBusy: delta.utilization };
  };
}
