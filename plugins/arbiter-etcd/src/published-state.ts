import type { IKeyValue } from 'etcd3';

/** How {@link PublishedState} reaches etcd. */
export interface PublishedStateOptions {
  /** The current lease id, or null. */
  leaseId(): string | null;
  /** Puts `json` as this node's state under the current lease, returning that lease's id; throws coded errors (no lease, unreachable). */
  put(json: string): Promise<string>;
}

/**
 * This node's published state: the latest value asked for, and whether etcd
 * holds it. It is put again whenever etcd may not have it (a put that
 * failed, a new lease, the key deleted behind our back), one put at a time
 * and always the latest, so an older value never lands after a newer one.
 */
export class PublishedState {
  private wanted: { json: string; version: number } | null = null;
  private held: { leaseId: string; version: number } | null = null;
  private queue: Promise<void> = Promise.resolve();
  private queued = false;

  constructor(private readonly options: PublishedStateOptions) {}

  /** Remembers `json` and puts it; rejects if it could not be put now (it will be later). */
  set(json: string): Promise<void> {
    this.wanted = { json, version: (this.wanted?.version ?? 0) + 1 };
    return this.enqueue();
  }

  /** A new lease: nothing of ours is in etcd any more. */
  granted(): void {
    if (this.wanted) void this.enqueue().catch(() => undefined);
  }

  /** `own` is this node's key as a re-read found it (undefined: absent): re-put if it is not what we want. */
  check(own: IKeyValue | undefined): void {
    const wanted = this.wanted;
    const leaseId = this.options.leaseId();
    if (!wanted || this.queued || leaseId === null) return;
    if (own === undefined || own.lease !== leaseId || own.value.toString('utf8') !== wanted.json) this.held = null;
    if (this.held?.leaseId !== leaseId || this.held.version !== wanted.version) void this.enqueue().catch(() => undefined);
  }

  private enqueue(): Promise<void> {
    this.queued = true;
    const run = this.queue.then(async () => {
      this.queued = false;
      const wanted = this.wanted;
      if (!wanted) return;
      const current = this.options.leaseId();
      if (current !== null && this.held?.leaseId === current && this.held.version === wanted.version) return;
      // Without a lease this throws (NO_LEASE); the grant that follows puts it.
      const leaseId = await this.options.put(wanted.json);
      this.held = { leaseId, version: wanted.version };
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}
