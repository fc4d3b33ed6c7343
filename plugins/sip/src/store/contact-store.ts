import type { Clock, TimerHandle } from '@switchyard/sdk';
import type { Binding, BindingChange } from './binding';
import { ExpiryQueue } from './expiry-queue';

/** Who made a change: this node (registrar, operator, journal load) or the peer, through replication. */
export type ChangeOrigin = 'local' | 'replica';

/** Called after each change of the store, with who made it. */
export type StoreChangeListener = (change: BindingChange, origin: ChangeOrigin) => void;

// Node timers cannot wait longer than this; a later expiry is re-armed on wake-up.
const MAX_TIMER_MS = 2 ** 31 - 1;
// Superseded heap entries tolerated before a rebuild (keeps memory O(live)).
const STALE_SLACK = 1024;

/**
 * The registrar's bindings, by address-of-record and Contact URI. Bindings
 * vanish at exactly `expiresAt`: reads never return an expired binding, and
 * one clock timer, armed for the earliest expiry, drops them. Each operation
 * is O(log n) amortised (a min-heap on `expiresAt` with lazy deletion).
 *
 * Stored bindings are frozen copies. Listeners receive each change as
 * applied, and the mutating methods return that same object (or `undefined`
 * when nothing changed), so a caller can hand it to the replicator.
 * Expiry is silent: each node expires bindings on its own clock.
 */
export class ContactStore {
  private readonly clock: Clock;
  private readonly byAor = new Map<string, Map<string, Binding>>();
  private readonly expiries = new ExpiryQueue<Binding>();
  private readonly listeners = new Set<StoreChangeListener>();
  private size = 0;
  private timer: { at: number; handle: TimerHandle } | undefined;
  private closed = false;

  /** @param clock every expiry is measured and timed on this clock. */
  constructor(clock: Clock) {
    this.clock = clock;
  }

  /** Number of unexpired bindings. */
  get count(): number {
    this.expireDue();
    return this.size;
  }

  /**
   * Adds or replaces the binding of `binding.aor` / `binding.contact`
   * (Contact URIs are keys as written; the registrar matches them with
   * RFC 3261 URI comparison before calling this). An upsert that is already
   * expired removes the binding instead.
   */
  upsert(binding: Binding, origin: ChangeOrigin = 'local'): BindingChange | undefined {
    this.expireDue();
    if (binding.expiresAt <= this.clock.now()) return this.remove(binding.aor, binding.contact, origin);
    const stored = this.insert(binding);
    this.expiries.push(stored.expiresAt, stored);
    this.compactExpiries();
    this.schedule();
    return this.notify({ op: 'upsert', binding: stored }, origin);
  }

  /** Removes one binding; `undefined` when there was none. */
  remove(aor: string, contact: string, origin: ChangeOrigin = 'local'): BindingChange | undefined {
    this.expireDue();
    if (!this.drop(aor, contact)) return undefined;
    return this.notify({ op: 'remove', aor, contact }, origin);
  }

  /** Removes every binding of `aor`; `undefined` when it had none. */
  clearAor(aor: string, origin: ChangeOrigin = 'local'): BindingChange | undefined {
    this.expireDue();
    if (!this.dropAor(aor)) return undefined;
    return this.notify({ op: 'clear-aor', aor }, origin);
  }

  /** Applies a change made elsewhere (the peer, the journal). */
  apply(change: BindingChange, origin: ChangeOrigin): BindingChange | undefined {
    switch (change.op) {
      case 'upsert':
        return this.upsert(change.binding, origin);
      case 'remove':
        return this.remove(change.aor, change.contact, origin);
      case 'clear-aor':
        return this.clearAor(change.aor, origin);
    }
  }

  /** Unexpired bindings of `aor`, best first: highest q (absent q counts as 1), then most recently updated. */
  bindings(aor: string): Binding[] {
    this.expireDue();
    const contacts = this.byAor.get(aor);
    if (!contacts) return [];
    return [...contacts.values()].sort(byPreference);
  }

  /** The unexpired binding of `aor` / `contact` (exact Contact URI), if any. */
  get(aor: string, contact: string): Binding | undefined {
    this.expireDue();
    return this.byAor.get(aor)?.get(contact);
  }

  /** Every unexpired binding, in no particular order. */
  all(): Binding[] {
    this.expireDue();
    return [...this.stored()];
  }

  /** The whole content, for replication snapshots and the journal. */
  snapshot(): Binding[] {
    return this.all();
  }

  /**
   * Replaces the whole content (journal load, replication snapshot); expired
   * entries of `bindings` are skipped. Listeners see the difference as
   * ordinary changes (removals first), so a journal or a replica that
   * follows the changes ends up with the same content.
   */
  replaceAll(bindings: readonly Binding[], origin: ChangeOrigin): void {
    this.expireDue();
    const now = this.clock.now();
    const next = new Map<string, Map<string, Binding>>();
    for (const binding of bindings) {
      if (binding.expiresAt <= now) continue;
      let contacts = next.get(binding.aor);
      if (!contacts) next.set(binding.aor, (contacts = new Map()));
      contacts.set(binding.contact, binding);
    }
    const changes: BindingChange[] = [];
    for (const [aor, contacts] of this.byAor) {
      const wanted = next.get(aor);
      if (!wanted) {
        changes.push({ op: 'clear-aor', aor });
        continue;
      }
      for (const contact of contacts.keys()) if (!wanted.has(contact)) changes.push({ op: 'remove', aor, contact });
    }
    for (const contacts of next.values()) {
      for (const binding of contacts.values()) {
        const current = this.byAor.get(binding.aor)?.get(binding.contact);
        if (!current || !sameBinding(current, binding)) changes.push({ op: 'upsert', binding: freezeBinding(binding) });
      }
    }
    // Apply everything first, then notify: listeners see a consistent store.
    for (const change of changes) {
      if (change.op === 'upsert') this.insert(change.binding);
      else if (change.op === 'remove') this.drop(change.aor, change.contact);
      else this.dropAor(change.aor);
    }
    this.expiries.rebuild([...this.stored()].map((b) => [b.expiresAt, b] as const));
    this.schedule(true);
    this.notifyAll(changes, origin);
  }

  /** Calls `listener` after every change, with its origin. Returns the unsubscribe function. */
  onChange(listener: StoreChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops the expiry timer (reads still hide expired bindings). */
  close(): void {
    this.closed = true;
    this.timer?.handle.cancel();
    this.timer = undefined;
  }

  // ---- expiry --------------------------------------------------------------

  /** Drops every binding whose time has come; superseded heap entries are skipped. */
  private expireDue(): void {
    const now = this.clock.now();
    for (let at = this.expiries.peekTime(); at !== undefined && at <= now; at = this.expiries.peekTime()) {
      const binding = this.expiries.pop()!;
      if (this.isCurrent(binding)) this.drop(binding.aor, binding.contact);
    }
  }

  private isCurrent(binding: Binding): boolean {
    return this.byAor.get(binding.aor)?.get(binding.contact) === binding;
  }

  /** Arms the one timer for the earliest expiry, unless an earlier one is armed already. */
  private schedule(force = false): void {
    if (this.closed) return;
    // Superseded entries at the top would only cause empty wake-ups.
    while (this.expiries.size > 0 && !this.isCurrent(this.expiries.peek()!)) this.expiries.pop();
    const next = this.expiries.peekTime();
    if (this.timer && !force && next !== undefined && this.timer.at <= next) return;
    this.timer?.handle.cancel();
    this.timer = undefined;
    if (next === undefined) return;
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, next - this.clock.now()));
    const timer = {
      at: next,
      handle: this.clock.setTimeout(() => {
        if (this.timer !== timer) return;
        this.timer = undefined;
        this.expireDue();
        this.schedule();
      }, delay),
    };
    this.timer = timer;
  }

  private compactExpiries(): void {
    if (this.expiries.size <= 2 * this.size + STALE_SLACK) return;
    this.expiries.rebuild([...this.stored()].map((b) => [b.expiresAt, b] as const));
  }

  private insert(binding: Binding): Binding {
    const stored = freezeBinding(binding);
    let contacts = this.byAor.get(stored.aor);
    if (!contacts) {
      contacts = new Map();
      this.byAor.set(stored.aor, contacts);
    }
    if (!contacts.has(stored.contact)) this.size++;
    contacts.set(stored.contact, stored);
    return stored;
  }

  private *stored(): Generator<Binding> {
    for (const contacts of this.byAor.values()) yield* contacts.values();
  }

  private dropAor(aor: string): boolean {
    const contacts = this.byAor.get(aor);
    if (!contacts) return false;
    this.size -= contacts.size;
    this.byAor.delete(aor);
    return true;
  }

  private drop(aor: string, contact: string): boolean {
    const contacts = this.byAor.get(aor);
    if (!contacts?.delete(contact)) return false;
    this.size--;
    if (contacts.size === 0) this.byAor.delete(aor);
    return true;
  }

  private notify<C extends BindingChange>(change: C, origin: ChangeOrigin): C {
    this.notifyAll([change], origin);
    return change;
  }

  /**
   * Every listener sees every change, even when one throws; the first
   * failure is then rethrown to the caller, with the store already consistent.
   */
  private notifyAll(changes: readonly BindingChange[], origin: ChangeOrigin): void {
    if (this.listeners.size === 0) return;
    let failure: { error: unknown } | undefined;
    const listeners = [...this.listeners];
    for (const change of changes) {
      for (const listener of listeners) {
        try {
          listener(change, origin);
        } catch (error) {
          failure ??= { error };
        }
      }
    }
    if (failure) throw failure.error;
  }
}

/** A frozen copy with exactly the Binding fields (one object shape: fast, and no stray fields from the wire). */
function freezeBinding(binding: Binding): Binding {
  if (Object.isFrozen(binding) && Object.isFrozen(binding.source)) return binding;
  const { address, port, transport } = binding.source;
  return Object.freeze({
    aor: binding.aor,
    contact: binding.contact,
    expiresAt: binding.expiresAt,
    callId: binding.callId,
    cseq: binding.cseq,
    q: binding.q,
    source: Object.freeze({ address, port, transport }),
    updatedAt: binding.updatedAt,
  });
}

function sameBinding(a: Binding, b: Binding): boolean {
  return (
    a.expiresAt === b.expiresAt &&
    a.callId === b.callId &&
    a.cseq === b.cseq &&
    a.q === b.q &&
    a.updatedAt === b.updatedAt &&
    a.source.address === b.source.address &&
    a.source.port === b.source.port &&
    a.source.transport === b.source.transport
  );
}

function byPreference(a: Binding, b: Binding): number {
  return (b.q ?? 1) - (a.q ?? 1) || b.updatedAt - a.updatedAt;
}
