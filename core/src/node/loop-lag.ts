import type { Clock, TimerHandle } from '../clock';

/** How often the monitor's timer asks to run: its lateness is the loop's lag. */
export const LAG_CHECK_MS = 20;
/** At most one report in this long; the slow turns in between are counted into it. */
export const LAG_REPORT_MS = 10_000;
/** Synchronous plugin work (a tap) or a garbage collection from this long on is remembered as a possible culprit. */
export const SLOW_WORK_MS = 10;

/** What one report says. */
export interface LoopLagReport {
  /** The longest lag (ms) since the last report. */
  ms: number;
  /** Silence (ms) after which the peer and the arbiter count this node as down. */
  budget: number;
  /** Turns as late as `warnMs` or later since the last report. */
  count: number;
  /** The slowest synchronous plugin work in that time, or what is known of it. */
  culprit: string;
}

/**
 * Remembers the slowest synchronous piece of work lately (a plugin's hook
 * tap, timed by the hook view; a garbage collection, reported by Node), for
 * a slow-loop report to name.
 */
export class SlowWork {
  private worst: { what: string; ms: number; at: number } | undefined;

  constructor(private readonly clock: Clock) {}

  note(what: string, ms: number): void {
    if (ms < SLOW_WORK_MS) return;
    const at = this.clock.monotonic();
    if (!this.worst || at - this.worst.at > LAG_REPORT_MS || ms >= this.worst.ms) this.worst = { what, ms, at };
  }

  /** The slowest work noted at or after `since` (monotonic ms). */
  since(since: number): string | undefined {
    const w = this.worst;
    return w && w.at >= since ? `${w.what} ran ${Math.round(w.ms)} ms` : undefined;
  }
}

/**
 * Watches this node's event loop: a timer asks to run every
 * {@link LAG_CHECK_MS}, and how late it runs is how long the loop was
 * blocked. A lag of `warnMs` or more is reported at the next check (at
 * most one report a {@link LAG_REPORT_MS}, counting the slow turns in
 * between; the check's wait lets a garbage collection that Node reports
 * after the turn be named as the culprit) before it
 * becomes a switchover: the peer and the arbiter count `budgetMs` of
 * silence as down, and a heartbeat is only ever sent by this loop.
 */
export class LoopLagMonitor {
  private timer: TimerHandle | undefined;
  private lastReport = Number.NEGATIVE_INFINITY;
  private pending: { max: number; count: number; since: number } | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly options: {
      warnMs: number;
      budgetMs: number;
      slowWork?: SlowWork;
      report: (report: LoopLagReport) => void;
      /** Every turn's lag (ms), for a metric. */
      observe?: (lagMs: number) => void;
    },
  ) {}

  start(): void {
    if (!this.timer) this.schedule();
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  private schedule(): void {
    const expected = this.clock.monotonic() + LAG_CHECK_MS;
    this.timer = this.clock.setTimeout(() => this.tick(expected), LAG_CHECK_MS);
  }

  private tick(expected: number): void {
    const now = this.clock.monotonic();
    const lag = Math.max(0, now - expected);
    this.options.observe?.(lag);
    // Slow turns seen at an earlier check: what is only known after such a
    // turn (Node reports a garbage collection once it is over) is noted by now.
    const ready = this.pending !== undefined;
    if (lag >= this.options.warnMs) {
      const p = (this.pending ??= { max: 0, count: 0, since: now - lag });
      p.max = Math.max(p.max, lag);
      p.count++;
    }
    if (ready && this.pending && now - this.lastReport >= LAG_REPORT_MS) {
      const { max, count, since } = this.pending;
      this.pending = undefined;
      this.lastReport = now;
      const culprit =
        this.options.slowWork?.since(since - LAG_CHECK_MS) ?? 'no hook tap or garbage collection ran that long (work in a socket, timer or I/O callback)';
      this.options.report({ ms: Math.round(max), budget: Math.round(this.options.budgetMs), count, culprit });
    }
    this.schedule();
  }
}
