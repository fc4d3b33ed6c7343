/**
 * Time is a service: every timer in core and plugins goes through a Clock, so
 * monitors and the arbiter can be tested in virtual time.
 */

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the epoch (wall clock, for timestamps). */
  now(): number;
  /** Monotonic milliseconds, for measuring intervals. */
  monotonic(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  setInterval(fn: () => void, ms: number): TimerHandle;
  /** Resolves after `ms`; rejects nothing. */
  sleep(ms: number): Promise<void>;
}

/** The real clock. Timers are unref'd so they never keep a process alive alone. */
export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }
  /**
   * CLOCK_MONOTONIC in ms: the same clock in every process of this host, so
   * an agent can hand its node a deadline (the arbiter's grant) that both
   * read alike, also across a freeze of either process.
   */
  monotonic(): number {
    return Number(process.hrtime.bigint()) / 1e6;
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const t = setTimeout(fn, ms);
    t.unref();
    return { cancel: () => clearTimeout(t) };
  }
  setInterval(fn: () => void, ms: number): TimerHandle {
    const t = setInterval(fn, ms);
    t.unref();
    return { cancel: () => clearInterval(t) };
  }
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }
}

/**
 * A wall clock that a step of the system clock does not move: `now()` is
 * the base clock's wall time when this was made, plus the monotonic time
 * since. For times that must keep their distance from now whatever NTP (or
 * a resumed VM) does to the host's clock while the process runs, such as a
 * registration's expiry: a step back would lengthen it, a step forward
 * expire it early. The offset to the host's clock is fixed at creation, so
 * timestamps meant for people (logs) keep using the base clock.
 */
export class StepFreeClock implements Clock {
  private readonly wallAtStart: number;
  private readonly monotonicAtStart: number;

  constructor(private readonly base: Clock) {
    this.wallAtStart = base.now();
    this.monotonicAtStart = base.monotonic();
  }

  now(): number {
    return this.wallAtStart + (this.base.monotonic() - this.monotonicAtStart);
  }
  monotonic(): number {
    return this.base.monotonic();
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.base.setTimeout(fn, ms);
  }
  setInterval(fn: () => void, ms: number): TimerHandle {
    return this.base.setInterval(fn, ms);
  }
  sleep(ms: number): Promise<void> {
    return this.base.sleep(ms);
  }
}

interface ManualTimer {
  id: number;
  at: number;
  fn: () => void;
  every?: number;
}

/**
 * Virtual time for tests: nothing happens until `advance()` is called, and
 * then timers fire in order, each seeing `now()` at its due time.
 */
export class ManualClock implements Clock {
  private current: number;
  private nextId = 1;
  private timers: ManualTimer[] = [];
  /** What {@link stepWall} added to the wall clock. */
  private wallStep = 0;

  constructor(start = 1_700_000_000_000) {
    this.current = start;
  }

  now(): number {
    return this.current + this.wallStep;
  }
  monotonic(): number {
    return this.current;
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.add({ id: this.nextId++, at: this.current + Math.max(0, ms), fn });
  }
  setInterval(fn: () => void, ms: number): TimerHandle {
    const every = Math.max(1, ms);
    return this.add({ id: this.nextId++, at: this.current + every, fn, every });
  }
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimeout(resolve, ms));
  }

  /**
   * Steps the wall clock (`now()`) by `ms`, as NTP stepping the host's clock
   * would: monotonic time and timers do not move.
   */
  stepWall(ms: number): void {
    this.wallStep += ms;
  }

  /** Number of timers still scheduled. */
  get pending(): number {
    return this.timers.length;
  }

  /**
   * Moves time forward by `ms` without running any timer: what a process
   * frozen for `ms` sees the moment it thaws. The overdue timers fire at the
   * next {@link advance}.
   */
  thaw(ms: number): void {
    this.current += ms;
  }

  /**
   * Moves time forward by `ms`, firing due timers in time order. Awaiting it
   * also lets promise callbacks scheduled by those timers run.
   */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      await flushMicrotasks();
      const next = this.timers.reduce<ManualTimer | undefined>(
        (best, t) => (t.at <= target && (!best || t.at < best.at || (t.at === best.at && t.id < best.id)) ? t : best),
        undefined,
      );
      if (!next) break;
      // An overdue timer (after thaw) fires late, at the current time; time never goes back.
      this.current = Math.max(this.current, next.at);
      if (next.every !== undefined) next.at += next.every;
      else this.timers = this.timers.filter((t) => t !== next);
      next.fn();
    }
    this.current = target;
    await flushMicrotasks();
  }

  private add(timer: ManualTimer): TimerHandle {
    this.timers.push(timer);
    return { cancel: () => void (this.timers = this.timers.filter((t) => t !== timer)) };
  }
}

async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
  await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * Settles with `promise`, or rejects with `onTimeout()` after `ms` of the
 * clock: the one timeout wrapper (plugin lifecycle hooks, etcd calls).
 */
export function withTimeout<T>(clock: Clock, ms: number, promise: Promise<T>, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = clock.setTimeout(() => reject(onTimeout()), ms);
    promise.then(
      (value) => {
        timer.cancel();
        resolve(value);
      },
      (error: unknown) => {
        timer.cancel();
        reject(error);
      },
    );
  });
}
