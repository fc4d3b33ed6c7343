import { Backoff } from '@switchyard/sdk';
import type { Clock, TimerHandle } from '@switchyard/sdk';
import type { Etcd3, IKeyValue, Watcher } from 'etcd3';

/** What one watch reports. */
export interface KeyWatchHandlers {
  /** A put (`deleted` false) or delete of a watched key. */
  event(kv: IKeyValue, deleted: boolean): void;
  /** The watch is (re)established: events from here on arrive; a read now closes any gap. */
  established(): void;
}

/**
 * A watch of one key or prefix that reconnects by itself, from the revision
 * it got to, so no event is lost across an etcd outage (unless etcd compacted
 * it meanwhile: then it watches from now and `established` prompts a re-read).
 *
 * Reconnecting is done here, not by etcd3: its watch manager retries on a
 * timer that keeps the process alive, possibly past `stop()`. Here a lost
 * stream detaches the watcher at once, so etcd3 has nothing to retry, and a
 * new one is attached after 100 ms doubling to 1 s, on the injected clock.
 */
export class KeyWatch {
  private watcher: Watcher | null = null;
  private timer: TimerHandle | null = null;
  /** Where the pending reopen resumes from. */
  private pendingRevision: string | undefined;
  private stopped = false;
  private readonly retry = new Backoff(100, 1000);

  constructor(
    private readonly client: Etcd3,
    private readonly clock: Clock,
    private readonly target: { key: string; prefix: boolean },
    private readonly handlers: KeyWatchHandlers,
  ) {}

  start(): void {
    this.open(undefined);
  }

  /** Cancels the watch (bounded by the caller: etcd3 waits for etcd's answer when connected). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
    const watcher = this.watcher;
    this.watcher = null;
    await watcher?.cancel();
  }

  /** etcd answers again: reconnect now rather than when the retry delay ends. */
  retryNow(): void {
    const timer = this.timer;
    if (!timer || this.stopped) return;
    timer.cancel();
    this.timer = null;
    this.open(this.pendingRevision);
  }

  private open(fromRevision: string | undefined): void {
    if (this.stopped) return;
    const builder = this.client.watch();
    if (this.target.prefix) builder.prefix(this.target.key);
    else builder.key(this.target.key);
    if (fromRevision !== undefined) builder.startRevision(fromRevision);
    const watcher = builder.watcher();
    this.watcher = watcher;
    watcher.on('put', (kv) => this.handlers.event(kv, false));
    watcher.on('delete', (kv) => this.handlers.event(kv, true));
    watcher.on('connected', () => {
      this.retry.reset();
      this.handlers.established();
    });
    // etcd3 emits this with its stream already down (state idle), so cancel() detaches at once.
    watcher.on('disconnected', () => {
      // The next revision to watch from (etcd3 keeps it as a string despite its type).
      const next: unknown = watcher.lastRevision();
      this.reopen(watcher, next === null || next === undefined ? undefined : String(next));
    });
    // etcd cancelled this watch (e.g. its revision was compacted): watch from now; the re-read fills the gap.
    watcher.on('error', () => this.reopen(watcher, undefined));
  }

  private reopen(watcher: Watcher, fromRevision: string | undefined): void {
    if (this.watcher !== watcher) return;
    this.watcher = null;
    void watcher.cancel().catch(() => undefined);
    if (this.stopped) return;
    this.pendingRevision = fromRevision;
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.open(fromRevision);
    }, this.retry.next());
  }
}
