import type { Clock, TimerHandle } from '../clock';

/** One event about an unwanted connection: its id and fields (`remote`, `code`, `reason`). */
export interface RefusalEvent {
  id: string;
  fields: Record<string, unknown>;
}

export interface RefusalLogOptions {
  clock: Clock;
  /** One line per source address per this many ms; 0 logs every event. */
  intervalMs: number;
  /** Addresses tracked apart; beyond this, the rest share one "other addresses" count. */
  maxSources: number;
  emit(eventId: string, fields: Record<string, unknown>): void;
}

interface Window {
  timer: TimerHandle;
  suppressed: number;
  last: RefusalEvent | undefined;
}

/** The key under which addresses beyond `maxSources` are counted together. */
const OTHERS = 'other addresses';

/**
 * Rate-limits the log lines about refused and dropped connections, per
 * source address: the first event of an address is logged at once, the
 * following ones in the same interval only counted, and at the end of the
 * interval one summary line says how many were left out and the last reason.
 * A flood of connections therefore writes one line per address per interval
 * (not one per attempt), and a lone failure is still logged at once.
 */
export class RefusalLog {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly options: RefusalLogOptions) {}

  report(source: string, event: RefusalEvent): void {
    if (this.options.intervalMs <= 0) {
      this.options.emit(event.id, event.fields);
      return;
    }
    const key = this.windows.has(source) || this.windows.size < this.options.maxSources ? source : OTHERS;
    const open = this.windows.get(key);
    if (open) {
      open.suppressed++;
      open.last = event;
      return;
    }
    this.options.emit(event.id, event.fields);
    this.openWindow(key);
  }

  /** Logs every pending summary now and forgets all windows (the link stops). */
  flush(): void {
    for (const [key, window] of [...this.windows]) {
      window.timer.cancel();
      this.windows.delete(key);
      this.summarise(key, window);
    }
  }

  private openWindow(key: string): void {
    const window: Window = {
      suppressed: 0,
      last: undefined,
      timer: this.options.clock.setTimeout(() => this.closeWindow(key, window), this.options.intervalMs),
    };
    this.windows.set(key, window);
  }

  // A source still refused during the window gets its summary and a new
  // window, so a steady flood keeps to one line per interval.
  private closeWindow(key: string, window: Window): void {
    if (this.windows.get(key) !== window) return;
    this.windows.delete(key);
    if (window.suppressed === 0) return;
    this.summarise(key, window);
    this.openWindow(key);
  }

  private summarise(key: string, window: Window): void {
    if (window.suppressed === 0 || !window.last) return;
    const seconds = this.options.intervalMs / 1000;
    const { id, fields } = window.last;
    this.options.emit(id, {
      ...fields,
      remote: key === OTHERS ? OTHERS : fields.remote,
      reason:
        `${window.suppressed} more from ${key} in the last ${seconds} s, not logged one by one ` +
        `(one line per address per ${seconds} s); the last: ${String(fields.reason)}`,
      suppressed: window.suppressed,
    });
  }
}
