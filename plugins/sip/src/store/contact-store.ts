import type { Clock, TimerHandle } from '@switchyard/sdk';
import type { Binding, BindingChange } from './binding';
import { LazyUpsert, decodeChange, decodeUpsert, encodeChange, encodeUpsert, hashLine, lineHash, rememberEncoding, scanUpsert } from './binding-codec';
import { ExpiryQueue } from './expiry-queue';

/** Who made a change: this node (registrar, operator, journal load) or the peer, through replication. */
export type ChangeOrigin = 'local' | 'replica';

/** Called after each change of the store, with who made it. */
export type StoreChangeListener = (change: BindingChange, origin: ChangeOrigin) => void;

// Node timers cannot wait longer than this; a later expiry is re-armed on wake-up.
const MAX_TIMER_MS = 2 ** 31 - 1;
// Superseded heap entries tolerated before a rebuild (keeps memory O(live)).
const STALE_SLACK = 1024;
const FREE = '';
const INITIAL_SLOTS = 1024;

/** A binding to store: its line and keys, and the columns the store sorts and expires by. */
interface Entry {
  line: string;
  aor: string;
  contact: string;
  expiresAt: number;
  updatedAt: number;
  q: number | undefined;
}

/**
 * The registrar's bindings, by address-of-record and Contact URI. Bindings
 * vanish at exactly `expiresAt`: reads never return an expired binding, and
 * one clock timer, armed for the earliest expiry, drops them. Each operation
 * is O(log n) amortised (a min-heap on `expiresAt` with lazy deletion).
 *
 * Compact: a binding is one slot — its encoded upsert line (the string the
 * HA link and the journal carry, see binding-codec.ts), AOR and Contact keys
 * that are slices of that line, and three numbers in typed arrays. An AOR
 * with one Contact costs one map entry holding the slot number. Reads
 * decode the line into a new frozen {@link Binding}; nothing a caller holds
 * can change what is stored, and a stored binding never keeps the SIP
 * message it came from alive.
 *
 * Listeners receive each change as applied, and the mutating methods return
 * that same object (or `undefined` when nothing changed), so a caller can
 * hand it to the replicator. Expiry is silent: each node expires bindings on
 * its own clock.
 */
export class ContactStore {
  private readonly clock: Clock;
  /** AOR → its slot, or its slots when it has several Contacts. */
  private readonly byAor = new Map<string, number | number[]>();
  private lineOf: string[] = [];
  private aorOf: string[] = [];
  private contactOf: string[] = [];
  private expiresAt = new Float64Array(INITIAL_SLOTS);
  private updatedAt = new Float64Array(INITIAL_SLOTS);
  /** NaN: no q. */
  private qOf = new Float64Array(INITIAL_SLOTS);
  private free: number[] = [];
  private readonly expiries = new ExpiryQueue<number>();
  private readonly listeners = new Set<StoreChangeListener>();
  private size = 0;
  /** Sums (mod 2^32) of the two hash lanes of every stored line: an order-independent digest of the content. */
  private sum1 = 0;
  private sum2 = 0;
  private timer: { at: number; handle: TimerHandle } | undefined;
  private closed = false;
  /** Counts changes made other than by a {@link Replacement} (expiry is no change): one changing under a replacement interrupts it. */
  private version = 0;

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
    const { line, aor, contact } = encodeUpsert(binding);
    this.put({ line, aor, contact, expiresAt: binding.expiresAt, updatedAt: binding.updatedAt, q: binding.q });
    return this.notify({ op: 'upsert', binding: frozenCopy(binding) }, line, origin);
  }

  /** Removes one binding; `undefined` when there was none. */
  remove(aor: string, contact: string, origin: ChangeOrigin = 'local', line?: string): BindingChange | undefined {
    this.expireDue();
    const slot = this.slotOf(aor, contact);
    if (slot < 0) return undefined;
    this.drop(slot);
    const change: BindingChange = { op: 'remove', aor, contact };
    return this.notify(change, line ?? encodeChange(change), origin);
  }

  /** Removes every binding of `aor`; `undefined` when it had none. */
  clearAor(aor: string, origin: ChangeOrigin = 'local', line?: string): BindingChange | undefined {
    this.expireDue();
    if (!this.dropAor(aor)) return undefined;
    const change: BindingChange = { op: 'clear-aor', aor };
    return this.notify(change, line ?? encodeChange(change), origin);
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

  /**
   * Applies a change in its encoded form (a line of the HA link or the
   * journal), keeping that very line: nothing is encoded again, and
   * listeners' changes carry it. `null` when the line is malformed (nothing
   * applied), `undefined` when it changed nothing.
   */
  applyEncoded(line: string, origin: ChangeOrigin): BindingChange | undefined | null {
    if (line.charCodeAt(0) === 0x75 /* u */) {
      const decoded = decodeUpsert(line);
      if (!decoded) return null;
      const { binding } = decoded;
      this.expireDue();
      if (binding.expiresAt <= this.clock.now()) return this.remove(binding.aor, binding.contact, origin);
      this.put({ line, aor: decoded.aor, contact: decoded.contact, expiresAt: binding.expiresAt, updatedAt: binding.updatedAt, q: binding.q });
      return this.notify({ op: 'upsert', binding: freeze(binding) }, line, origin);
    }
    const change = decodeChange(line);
    if (!change) return null;
    if (change.op === 'remove') return this.remove(change.aor, change.contact, origin, line);
    if (change.op === 'clear-aor') return this.clearAor(change.aor, origin, line);
    return null;
  }

  /** Unexpired bindings of `aor`, best first: highest q (absent q counts as 1), then most recently updated. */
  bindings(aor: string): Binding[] {
    this.expireDue();
    const entry = this.byAor.get(aor);
    if (entry === undefined) return [];
    if (typeof entry === 'number') return [this.read(entry)];
    return [...entry].sort((a, b) => this.prefer(a, b)).map((slot) => this.read(slot));
  }

  /** The unexpired binding of `aor` / `contact` (exact Contact URI), if any. */
  get(aor: string, contact: string): Binding | undefined {
    this.expireDue();
    const slot = this.slotOf(aor, contact);
    return slot < 0 ? undefined : this.read(slot);
  }

  /** Every unexpired binding, in no particular order. */
  all(): Binding[] {
    this.expireDue();
    const out: Binding[] = [];
    for (let slot = 0; slot < this.lineOf.length; slot++) if (this.lineOf[slot] !== FREE) out.push(this.read(slot));
    return out;
  }

  /** The whole content (decoded); {@link encoded} gives it as lines, without decoding. */
  snapshot(): Binding[] {
    return this.all();
  }

  /** Every unexpired binding as its upsert line (the form the HA link and the journal carry). */
  encoded(): string[] {
    this.expireDue();
    const out: string[] = [];
    for (const line of this.lineOf) if (line !== FREE) out.push(line);
    return out;
  }

  /**
   * The content read in parts (a resync, a snapshot written across turns of
   * the event loop): the upsert lines of the slots from `from` on, until
   * their `size` reaches `maxBytes` (one line at least), and that size.
   * `next` is where the next part starts; `done` when no slot is left.
   * Slots never move, so the parts together hold every binding that stayed
   * put while they were read, and each binding changed meanwhile in one of
   * its states: a reader that
   * also passes on the changes made since the first part (as the HA link
   * and the journal's log do) ends up with the content as of the last.
   */
  encodedFrom(
    from: number,
    maxBytes: number,
    size: (line: string) => number = (line) => line.length,
  ): { lines: string[]; bytes: number; next: number; done: boolean } {
    this.expireDue();
    const lines: string[] = [];
    let bytes = 0;
    let slot = Math.max(0, from);
    for (; slot < this.lineOf.length; slot++) {
      const line = this.lineOf[slot]!;
      if (line === FREE) continue;
      const n = size(line);
      if (lines.length > 0 && bytes + n > maxBytes) break;
      lines.push(line);
      bytes += n;
    }
    return { lines, bytes, next: slot, done: slot >= this.lineOf.length };
  }

  /**
   * Starts replacing the whole content part by part, across turns of the
   * event loop (a resync from the primary arrives in frame-sized parts):
   * {@link replacePart} applies each part as it comes, {@link finishReplace}
   * then removes what no part held. Between parts the store holds a mix of
   * the old content and the new.
   */
  beginReplace(): Replacement {
    return new Replacement(this.version, this.lineOf.length);
  }

  /**
   * Applies one part of a {@link beginReplace} replacement: every upsert
   * line, keeping the line (expired ones are skipped; an unchanged binding
   * costs a lookup). Listeners hear of each binding that changed. Returns
   * the number of malformed lines, which are skipped: the caller decides
   * whether the rest stands.
   */
  replacePart(replacement: Replacement, lines: readonly string[], origin: ChangeOrigin): number {
    if (replacement.version !== this.version) replacement.interrupted = true;
    return this.putLines(lines, origin, replacement);
  }

  /**
   * Ends a {@link beginReplace} replacement: removes every binding no part
   * held, and listeners hear of each removal (a `clear-aor` for an AOR none
   * of whose Contacts is left). Returns `false`, removing nothing, when the
   * store was changed otherwise since the replacement began (its parts were
   * applied, but they are no longer the whole content).
   */
  finishReplace(replacement: Replacement, origin: ChangeOrigin): boolean {
    if (replacement.interrupted || replacement.version !== this.version) return false;
    this.expireDue();
    const changes = this.dropUnkept((slot) => replacement.kept(slot));
    for (const [change, line] of changes) rememberEncoding(change, line);
    this.schedule(true);
    this.notifyAll(changes, origin);
    return true;
  }

  /**
   * Replaces the whole content (journal load, replication snapshot); expired
   * entries of `bindings` are skipped. Listeners see the difference as
   * ordinary changes (removals first), so a journal or a replica that
   * follows the changes ends up with the same content.
   */
  replaceAll(bindings: readonly Binding[], origin: ChangeOrigin): void {
    const now = this.clock.now();
    const entries: Entry[] = [];
    for (const b of bindings) {
      if (b.expiresAt <= now) continue;
      const { line, aor, contact } = encodeUpsert(b);
      entries.push({ line, aor, contact, expiresAt: b.expiresAt, updatedAt: b.updatedAt, q: b.q });
    }
    this.install(entries, origin);
  }

  /**
   * {@link replaceAll} from upsert lines, keeping the lines. Returns the
   * number of malformed lines; when there is any, nothing is changed.
   */
  replaceAllEncoded(lines: readonly string[], origin: ChangeOrigin): number {
    const now = this.clock.now();
    const entries: Entry[] = [];
    let malformed = 0;
    for (const line of lines) {
      const keys = scanUpsert(line);
      if (!keys) {
        malformed++;
        continue;
      }
      if (keys.expiresAt > now) entries.push({ line, aor: keys.aor, contact: keys.contact, expiresAt: keys.expiresAt, updatedAt: keys.updatedAt, q: keys.q });
    }
    if (malformed === 0) this.install(entries, origin);
    return malformed;
  }

  /**
   * A digest of the content (count and two 32-bit sums of line hashes):
   * equal on two stores that hold the same bindings, whatever order they
   * were made in; different, but for a 2^-64 chance, otherwise.
   */
  digest(): string {
    this.expireDue();
    return `${this.size}:${this.sum1.toString(16)}:${this.sum2.toString(16)}`;
  }

  /**
   * Upserts each upsert line of `lines` (a part of a journal being loaded),
   * keeping the lines; expired and malformed ones are skipped. Returns the
   * number of malformed lines. Listeners hear of each binding (decoded when read).
   */
  putEncoded(lines: readonly string[], origin: ChangeOrigin): number {
    this.version++;
    return this.putLines(lines, origin);
  }

  /**
   * Stores each unexpired upsert line of `lines` (the lines kept as they
   * are) and tells listeners of each that changed a binding; the slot of
   * every line, changed or not, is kept in `replacement`. Returns the
   * number of malformed lines (skipped).
   */
  private putLines(lines: readonly string[], origin: ChangeOrigin, replacement?: Replacement): number {
    this.expireDue();
    const now = this.clock.now();
    const tell = this.listeners.size > 0;
    const changes: Array<[BindingChange, string]> = [];
    let malformed = 0;
    for (const line of lines) {
      const keys = scanUpsert(line);
      if (!keys) {
        malformed++;
        continue;
      }
      if (keys.expiresAt <= now) continue;
      const slot = this.put({ line, aor: keys.aor, contact: keys.contact, expiresAt: keys.expiresAt, updatedAt: keys.updatedAt, q: keys.q }, false);
      if (slot >= 0) {
        this.expiries.push(keys.expiresAt, slot);
        if (tell) changes.push([new LazyUpsert(line), line]);
      }
      replacement?.keep(slot >= 0 ? slot : this.slotOf(keys.aor, keys.contact));
    }
    if (this.expiries.size > 2 * this.size + STALE_SLACK) this.rebuildExpiries();
    this.schedule();
    this.notifyAll(changes, origin);
    return malformed;
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

  // ---- content -------------------------------------------------------------

  /** Installs `entries` as the whole content: removals, then upserts, then one notification pass. */
  private install(entries: readonly Entry[], origin: ChangeOrigin): void {
    this.expireDue();
    this.version++;
    const changes: Array<[BindingChange, string]> = [];
    if (this.size > 0) {
      const kept = new Uint8Array(this.lineOf.length);
      for (const e of entries) {
        const slot = this.slotOf(e.aor, e.contact);
        if (slot >= 0) kept[slot] = 1;
      }
      changes.push(...this.dropUnkept((slot) => kept[slot] === 1));
    }
    const tell = this.listeners.size > 0;
    for (const e of entries) {
      if (this.put(e, false) < 0) continue;
      if (tell) changes.push([new LazyUpsert(e.line), e.line]);
    }
    this.rebuildExpiries();
    this.schedule(true);
    for (const [change, line] of changes) if (!(change instanceof LazyUpsert)) rememberEncoding(change, line);
    this.notifyAll(changes, origin);
  }

  /**
   * Drops every binding not `kept`: a `remove` for each, or one `clear-aor`
   * for an AOR none of whose bindings is kept (removals first). Returns the
   * changes, for the listeners.
   */
  private dropUnkept(kept: (slot: number) => boolean): Array<[BindingChange, string]> {
    const changes: Array<[BindingChange, string]> = [];
    const gone: string[] = [];
    for (const [aor, entry] of this.byAor) {
      if (typeof entry === 'number') {
        if (!kept(entry)) gone.push(aor);
        continue;
      }
      let count = 0;
      for (const slot of entry) if (kept(slot)) count++;
      if (count === 0) gone.push(aor);
      else if (count < entry.length) for (const slot of entry) if (!kept(slot)) changes.push(this.removal(slot));
    }
    for (const [change] of changes) if (change.op === 'remove') this.drop(this.slotOf(change.aor, change.contact));
    for (const aor of gone) {
      this.dropAor(aor);
      const change: BindingChange = { op: 'clear-aor', aor };
      changes.push([change, encodeChange(change)]);
    }
    return changes;
  }

  private removal(slot: number): [BindingChange, string] {
    const change: BindingChange = { op: 'remove', aor: this.aorOf[slot]!, contact: this.contactOf[slot]! };
    return [change, encodeChange(change)];
  }

  /** Stores `e` in its slot (a new one for a new AOR/Contact) and returns the slot; -1 when that slot held the same line already. */
  private put(e: Entry, queue = true): number {
    const entry = this.byAor.get(e.aor);
    let slot = entry === undefined ? -1 : this.slotIn(entry, e.contact);
    if (slot >= 0 && this.lineOf[slot] === e.line) return -1;
    if (slot >= 0) this.unsum(this.lineOf[slot]!);
    else {
      slot = this.allocate();
      if (entry === undefined) this.byAor.set(e.aor, slot);
      else if (typeof entry === 'number') this.byAor.set(this.aorOf[entry]!, [entry, slot]);
      else entry.push(slot);
      this.size++;
    }
    this.lineOf[slot] = e.line;
    hashLine(e.line);
    this.sum1 = (this.sum1 + lineHash[0]!) >>> 0;
    this.sum2 = (this.sum2 + lineHash[1]!) >>> 0;
    this.aorOf[slot] = e.aor;
    this.contactOf[slot] = e.contact;
    this.expiresAt[slot] = e.expiresAt;
    this.updatedAt[slot] = e.updatedAt;
    this.qOf[slot] = e.q ?? NaN;
    if (!queue) return slot;
    this.expiries.push(e.expiresAt, slot);
    if (this.expiries.size > 2 * this.size + STALE_SLACK) this.rebuildExpiries();
    this.schedule();
    return slot;
  }

  private slotOf(aor: string, contact: string): number {
    const entry = this.byAor.get(aor);
    return entry === undefined ? -1 : this.slotIn(entry, contact);
  }

  /** The slot of `contact` among an AOR's slots; -1 when it has none. */
  private slotIn(entry: number | number[], contact: string): number {
    if (typeof entry === 'number') return this.contactOf[entry] === contact ? entry : -1;
    for (const slot of entry) if (this.contactOf[slot] === contact) return slot;
    return -1;
  }

  private allocate(): number {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    const slot = this.lineOf.length;
    if (slot >= this.expiresAt.length) {
      const grow = (from: Float64Array) => {
        const to = new Float64Array(from.length * 2);
        to.set(from);
        return to;
      };
      this.expiresAt = grow(this.expiresAt);
      this.updatedAt = grow(this.updatedAt);
      this.qOf = grow(this.qOf);
    }
    this.lineOf.push(FREE);
    this.aorOf.push(FREE);
    this.contactOf.push(FREE);
    return slot;
  }

  private unsum(line: string): void {
    hashLine(line);
    this.sum1 = (this.sum1 - lineHash[0]!) >>> 0;
    this.sum2 = (this.sum2 - lineHash[1]!) >>> 0;
  }

  private release(slot: number): void {
    this.unsum(this.lineOf[slot]!);
    this.lineOf[slot] = FREE;
    this.aorOf[slot] = FREE;
    this.contactOf[slot] = FREE;
    this.free.push(slot);
    this.size--;
  }

  private drop(slot: number): void {
    const aor = this.aorOf[slot]!;
    const entry = this.byAor.get(aor)!;
    if (typeof entry === 'number') this.byAor.delete(aor);
    else {
      entry.splice(entry.indexOf(slot), 1);
      if (entry.length === 1) this.byAor.set(aor, entry[0]!);
    }
    this.release(slot);
  }

  private dropAor(aor: string): boolean {
    const entry = this.byAor.get(aor);
    if (entry === undefined) return false;
    this.byAor.delete(aor);
    if (typeof entry === 'number') this.release(entry);
    else for (const slot of entry) this.release(slot);
    return true;
  }

  private read(slot: number): Binding {
    return freeze(decodeUpsert(this.lineOf[slot]!)!.binding);
  }

  /** Best first: highest q (absent counts as 1), then most recently updated. */
  private prefer(a: number, b: number): number {
    const qa = this.qOf[a]!;
    const qb = this.qOf[b]!;
    return (Number.isNaN(qb) ? 1 : qb) - (Number.isNaN(qa) ? 1 : qa) || this.updatedAt[b]! - this.updatedAt[a]!;
  }

  // ---- expiry --------------------------------------------------------------

  /** Drops every binding whose time has come; superseded heap entries are skipped. */
  private expireDue(): void {
    const now = this.clock.now();
    for (let at = this.expiries.peekTime(); at !== undefined && at <= now; at = this.expiries.peekTime()) {
      const slot = this.expiries.pop()!;
      if (this.isCurrent(at, slot)) this.drop(slot);
    }
  }

  /** A heap entry is current when its slot holds a binding expiring at its time (a reused slot due then is due all the same). */
  private isCurrent(at: number, slot: number): boolean {
    return this.lineOf[slot] !== FREE && this.expiresAt[slot] === at;
  }

  private rebuildExpiries(): void {
    const entries: Array<readonly [number, number]> = [];
    for (let slot = 0; slot < this.lineOf.length; slot++) if (this.lineOf[slot] !== FREE) entries.push([this.expiresAt[slot]!, slot]);
    this.expiries.rebuild(entries);
  }

  /** Arms the one timer for the earliest expiry, unless an earlier one is armed already. */
  private schedule(force = false): void {
    if (this.closed) return;
    // Superseded entries at the top would only cause empty wake-ups.
    while (this.expiries.size > 0 && !this.isCurrent(this.expiries.peekTime()!, this.expiries.peek()!)) this.expiries.pop();
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

  // ---- listeners -----------------------------------------------------------

  private notify(change: BindingChange, line: string, origin: ChangeOrigin): BindingChange {
    this.version++;
    rememberEncoding(change, line);
    if (this.listeners.size > 0) this.notifyAll([[change, line]], origin);
    return change;
  }

  /**
   * Every listener sees every change, even when one throws; the first
   * failure is then rethrown to the caller, with the store already consistent.
   */
  private notifyAll(changes: ReadonlyArray<readonly [BindingChange, string]>, origin: ChangeOrigin): void {
    if (this.listeners.size === 0) return;
    let failure: { error: unknown } | undefined;
    const listeners = [...this.listeners];
    for (const [change] of changes) {
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

/** A replacement of the whole content in parts ({@link ContactStore.beginReplace}): the slots its parts held. */
export class Replacement {
  /** Set when the store changed otherwise under it: its end removes nothing. */
  interrupted = false;
  private marks: Uint8Array;

  /** @internal made by {@link ContactStore.beginReplace} */
  constructor(
    readonly version: number,
    slots: number,
  ) {
    this.marks = new Uint8Array(Math.max(INITIAL_SLOTS, slots));
  }

  keep(slot: number): void {
    if (slot >= this.marks.length) {
      const grown = new Uint8Array(Math.max(slot + 1, this.marks.length * 2));
      grown.set(this.marks);
      this.marks = grown;
    }
    this.marks[slot] = 1;
  }

  kept(slot: number): boolean {
    return this.marks[slot] === 1;
  }
}

function freeze(binding: Binding): Binding {
  Object.freeze(binding.source);
  return Object.freeze(binding);
}

/** A frozen copy with exactly the Binding fields (one object shape, and no stray fields). */
function frozenCopy(binding: Binding): Binding {
  if (Object.isFrozen(binding) && Object.isFrozen(binding.source)) return binding;
  const { address, port, transport } = binding.source;
  return freeze({
    aor: binding.aor,
    contact: binding.contact,
    expiresAt: binding.expiresAt,
    callId: binding.callId,
    cseq: binding.cseq,
    q: binding.q,
    source: { address, port, transport },
    updatedAt: binding.updatedAt,
  });
}
