import { randomBytes } from 'node:crypto';
import type { Channel, TimerHandle } from '@switchyard/sdk';
import type { BindingChange } from './binding';
import { CODEC_VERSION, encodeChange } from './binding-codec';
import { AckTracker, type ReplicationOutcome } from './ack-tracker';
import type { ChangeOrigin, Replacement } from './contact-store';
import { BULK_BINDINGS, type BindingReplicatorOptions, type ReplicationRole, type ReplicationStatus } from './replication-options';
import {
  BINDINGS_CHANNEL,
  REPLICATION_VERSION_ERROR,
  isReplicationMessage,
  isReplicationSnapshot,
  lineBytes,
  otherVersion,
  termOf,
  type ReceivedReplicationMessage,
  type ReplicationMessage,
  type ReplicationSnapshot,
} from './replication-protocol';
import { TermFence } from './term-fence';

const DEFAULT_FRAME_BYTES = 1024 * 1024;
const MAX_BASE_PART_BYTES = 256 * 1024;
// Room for the frame's own fields around a snapshot.
const FRAME_OVERHEAD = 4096;
const ROLE_POLL_MS = 1000;
const ASYNC: Promise<ReplicationOutcome> = Promise.resolve('async');
const SKIPPED: Promise<ReplicationOutcome> = Promise.resolve('skipped');

/** Local changes made in this turn of the event loop, sent as one `changes` message at its end. */
interface Batch {
  term: number;
  lines: string[];
  bytes: number;
  /** Sync mode: settles every change of the batch with the batch's outcome. */
  waiting?: { promise: Promise<ReplicationOutcome>; resolve: (outcome: ReplicationOutcome) => void };
}

/**
 * Replicates the contact store to the peer over one HA-link channel
 * (`sip.bindings`). The primary sends each local change of the store as it
 * happens; the backup applies them (origin `replica`, so they are never
 * sent back) and acknowledges them, batched, or at once in sync mode.
 *
 * Catch-up after a reconnect is the channel's: resume, or a snapshot of the
 * store when the primary no longer retains what the backup missed. When the
 * backup cannot trust its copy (it just started, missed messages, or the
 * snapshot was too large for one frame) it asks for a `resync`, and the
 * primary sends its whole content in frame-sized `base` parts.
 *
 * Fencing: every message carries the sender's term. Content (`change`,
 * `base`, snapshot) from a term older than this node's is refused — not
 * applied, not acknowledged — and this node's copy counts as untrusted
 * until a primary of its term sends its whole content again. A node that
 * is primary applies nothing from the peer, whatever the term.
 */
export class BindingReplicator {
  private readonly options: BindingReplicatorOptions;
  private readonly stream: string;
  private readonly channel: Channel<ReplicationMessage>;
  private readonly tracker: AckTracker;
  private readonly outcomes = new WeakMap<BindingChange, Promise<ReplicationOutcome>>();
  private readonly unsubscribe: Array<() => void> = [];
  private readonly basePartBytes: number;
  private readonly snapshotBytes: number;
  private role: ReplicationRole;
  private stopped = false;

  // Receiving side: where we are in the peer's stream.
  private peerStream: string | undefined;
  private lastSeenSeq = 0;
  private lastAppliedSeq = 0;
  /** The catch-up after the last (re)connect completed. */
  private synced = false;
  /** Backup: our content is the primary's as of `lastSeenSeq`. */
  private haveBase = false;
  /** Backup: the primary's base being taken, part by part, as each arrives. */
  private baseParts: { from: string; next: number; replacement: Replacement; count: number } | undefined;
  private resyncAsked: { stream: string | undefined } | undefined;
  private outOfSyncReason = 'waiting for the primary';
  private lastAck: { of: string; seq: number } | undefined;
  private ackTimer: TimerHandle | undefined;
  private readonly fence: TermFence;

  // Sending side.
  /** Primary: the peer has caught up with our stream at least once (so it exists). */
  private peerSynced = false;
  /**
   * While primary, we ignored content the peer sent (it acted as primary
   * too, in a newer term we had not heard of yet): our copy then lacks what
   * the peer has, so it cannot be trusted when we become its backup.
   */
  private ignoredPeerContent = false;
  /** Primary: the term of the oldest content the backup has not acknowledged. */
  private contentTerm: number | undefined;
  /** The peer asked for our whole content; sent as soon as we are primary. */
  private resyncWanted = false;
  /**
   * Our copy may differ from the peer's: we left the primary role with
   * changes it had not acknowledged (or content of its we had not applied).
   * Cleared by adopting the peer's base, or by the peer acknowledging ours
   * (sent when we are primary again before that).
   */
  private divergent = false;
  /** Primary: the last part of the base we sent; its ack clears `divergent`. */
  private baseSeq: number | undefined;
  /** Primary: the first part of the base in flight (sent, not yet acknowledged), at its term. */
  private baseInFlight: { first: number; term: number } | undefined;
  /**
   * Primary: the base being sent, one part a turn of the event loop (so a
   * large store never blocks the loop), and the batches of changes made
   * meanwhile, held back until its last part is out.
   */
  private baseOut: { term: number; next: number; part: number; count: number; held: Batch[] } | undefined;
  /** The digest of the peer's copy, from its last `resync`: if it is ours, `base` says `same` instead of sending the content. */
  private peerDigest: string | undefined;
  /** Backup: the primary said `same` and our copy was not: ask without a digest, for the whole content. */
  private wantWholeBase = false;
  private rolePoll: TimerHandle | undefined;
  private batch: Batch | undefined;
  private flushQueued = false;
  private readonly defer: (flush: () => void) => void;

  private reportedInSync: boolean | undefined;
  private readonly warned = new Set<string>();

  constructor(options: BindingReplicatorOptions) {
    this.options = options;
    const id = randomBytes(6).toString('hex');
    this.stream = options.node === undefined ? id : `${options.node}/${id}`;
    this.fence = new TermFence({
      clock: options.clock,
      term: options.term,
      report: (burst) => options.emit(options.events.staleRefused, { ...burst }),
    });
    const frameBytes = options.maxFrameBytes ?? DEFAULT_FRAME_BYTES;
    this.snapshotBytes = frameBytes - FRAME_OVERHEAD;
    this.basePartBytes = Math.min(MAX_BASE_PART_BYTES, Math.floor(frameBytes / 2));
    this.role = options.role();
    this.defer = options.defer ?? ((flush) => void setImmediate(flush));
    this.tracker = new AckTracker({
      clock: options.clock,
      timeoutMs: options.syncTimeout * 1000,
      timeoutOutcome: this.rejecting ? 'rejected' : 'fallback',
      onStall: (unacked) => this.stalled(unacked),
      onRecover: () => {
        this.updatePoll();
        this.reportHealth();
      },
    });
    this.channel = options.channels.channel<ReplicationMessage>(BINDINGS_CHANNEL, {
      ...(options.retain === undefined ? {} : { retain: options.retain }),
      snapshot: () => this.snapshot(),
    });
    this.unsubscribe.push(
      options.store.onChange((change, origin) => this.onStoreChange(change, origin)),
      this.channel.onMessage((message, seq) => this.onMessage(message, seq)),
      this.channel.onSnapshot((data, seq) => this.onSnapshot(data, seq)),
      this.channel.onSynced(() => this.onSynced()),
    );
    // A backup starts without the primary's content. Asking now, rather than
    // at the first onSynced, also covers a catch-up that completed inside
    // channel() (a loopback link), before the handlers above existed.
    // While the link is down, the catch-up when it comes up asks (onSynced), with the digest of what the node holds
    // by then (its journal is loaded after this constructor): a backup whose copy is the primary's gets no content.
    if (this.role === 'backup' && options.channels.connected) this.askResync('starting up');
    else this.outOfSyncReason = 'starting up';
  }

  /**
   * How `change` reaches the backup. Local changes of the store are sent as
   * the store makes them; pass the change object the store (or the
   * registrar) returned to wait for its outcome. A change the store has not
   * made yet is applied to it first.
   */
  replicate(change: BindingChange): Promise<ReplicationOutcome> {
    if (this.stopped) return SKIPPED;
    let outcome = this.outcomes.get(change);
    if (!outcome) {
      const applied = this.options.store.apply(change, 'local');
      outcome = applied && this.outcomes.get(applied);
    }
    return outcome ?? SKIPPED;
  }

  status(): ReplicationStatus {
    const role = this.checkRole();
    const connected = this.options.connected?.() ?? true;
    const held = this.baseOut?.held.reduce((n, batch) => n + batch.lines.length, 0) ?? 0;
    const lag = role === 'primary' ? this.tracker.lag + held + (this.batch?.lines.length ?? 0) : 0;
    return {
      mode: this.options.mode,
      role,
      inSync: connected && this.healthy() && lag === 0,
      lag,
      lastAppliedSeq: this.lastAppliedSeq,
      lastSentSeq: this.channel.stats().lastSentSeq,
    };
  }

  /** Takes a role change into account now (otherwise noticed at the next message or change). */
  roleChanged(): void {
    this.checkRole();
  }

  /** Stops replicating: handlers and timers are removed; waiting changes resolve `skipped`. */
  stop(): void {
    if (this.stopped) return;
    // What was made before the stop still goes out (the rest of a base does not).
    this.abortBase();
    if (this.batch) this.flushBatch();
    this.stopped = true;
    for (const off of this.unsubscribe) off();
    // Under `reject`, a change still waiting was not acknowledged: never report it as accepted.
    this.tracker.reset(this.rejecting ? 'rejected' : 'skipped');
    this.ackTimer?.cancel();
    this.updatePoll();
    this.fence.flush();
  }

  // ---- roles ---------------------------------------------------------------

  private checkRole(): ReplicationRole {
    const role = this.options.role();
    if (role !== this.role) {
      const was = this.role;
      this.role = role;
      if (role === 'backup') this.becomeBackup(was);
      else this.becomePrimary();
      this.reportHealth();
    } else if (role === 'primary') {
      this.resendAtNewTerm();
    }
    return role;
  }

  /**
   * Primary, stalled: the backup has not acknowledged content we sent at a
   * term older than ours now. A backup that heard of the newer term first
   * refused it (and the `base` answering its resync, and its own later
   * asks would only be answered at that old term): the arbiter's order
   * reached us late. Send the whole content again, at our term.
   */
  private resendAtNewTerm(): void {
    if (!this.tracker.stalled || this.contentTerm === undefined || this.options.term() <= this.contentTerm) return;
    this.sendBase();
  }

  private becomeBackup(was: ReplicationRole): void {
    // Our content is the new primary's only if it acknowledged all we sent.
    // And only if we applied all it sent meanwhile (a peer promoted before we heard of it sends changes we ignored).
    // Changes made as primary go out at the term they were made in, as if sent at once (a peer of a newer term refuses them).
    // A base still being sent stops where it is: the peer, missing its last part, asks again when it needs to.
    this.abortBase();
    this.flushBatch();
    // Nor if we refused content of the peer's (older) term meanwhile: the peer, primary again later, still holds it.
    const clean =
      was === 'primary' &&
      this.peerSynced &&
      this.tracker.lag === 0 &&
      !this.resyncWanted &&
      !this.ignoredPeerContent &&
      !this.fence.refusedSinceBase &&
      !this.divergent;
    if (!clean) this.divergent = true;
    this.baseSeq = undefined;
    this.baseInFlight = undefined;
    this.tracker.reset(this.rejecting ? 'rejected' : 'fallback');
    this.resyncWanted = false;
    this.contentTerm = undefined;
    this.updatePoll();
    this.haveBase = clean;
    if (!clean) this.askResync('became backup with changes the peer had not acknowledged');
  }

  private becomePrimary(): void {
    this.baseParts = undefined;
    // A `resync` we asked as backup is moot: its answer, if any, is ignored now. Back as backup, we ask anew.
    this.resyncAsked = undefined;
    this.ackTimer?.cancel();
    this.ackTimer = undefined;
    // A copy that may differ from the peer's is made the peer's now: we are the primary.
    if (this.resyncWanted || this.divergent) this.sendBase();
  }

  // ---- primary: sending ------------------------------------------------------

  /**
   * A local change joins the batch of this turn of the event loop (one
   * `changes` message, one frame, one socket write for all of them); its
   * line is the one the store made, sent as is.
   */
  private onStoreChange(change: BindingChange, origin: ChangeOrigin): void {
    if (origin !== 'local') return; // applied from the peer: never sent back
    if (this.checkRole() !== 'primary') {
      this.outcomes.set(change, SKIPPED);
      return;
    }
    const term = this.options.term();
    if (this.batch && this.batch.term !== term) this.flushBatch(); // one term a message
    const line = encodeChange(change);
    const batch = (this.batch ??= { term, lines: [], bytes: 0 });
    batch.lines.push(line);
    batch.bytes += lineBytes(line);
    if (this.options.mode === 'sync') {
      if (!batch.waiting) {
        let resolve!: (outcome: ReplicationOutcome) => void;
        const promise = new Promise<ReplicationOutcome>((r) => (resolve = r));
        batch.waiting = { promise, resolve };
      }
      this.outcomes.set(change, batch.waiting.promise);
    } else {
      this.outcomes.set(change, ASYNC);
    }
    if (batch.bytes >= this.basePartBytes) this.flushBatch();
    else if (!this.flushQueued) {
      this.flushQueued = true;
      this.defer(() => {
        this.flushQueued = false;
        this.flushBatch();
      });
    }
  }

  /**
   * Sends the batch, if any, as one message, at the term its changes were
   * made in, whatever the role now: exactly what sending each at once
   * would have done. Called before anything else this node sends, so order holds.
   */
  private flushBatch(): void {
    const batch = this.batch;
    if (!batch || this.stopped) return;
    this.batch = undefined;
    if (this.baseOut) this.baseOut.held.push(batch); // after the base's last part
    else this.sendBatch(batch);
  }

  private sendBatch(batch: Batch): void {
    if (this.tracker.lag === 0) this.contentTerm = batch.term;
    const seq = this.channel.send({ kind: 'changes', v: CODEC_VERSION, from: this.stream, term: batch.term, changes: batch.lines });
    const waiting = this.tracker.track(seq, batch.waiting !== undefined, batch.lines.length);
    if (batch.waiting && waiting) void waiting.then(batch.waiting.resolve);
  }

  /**
   * Whether a `resync` needs no answer: the peer sent it having seen none of
   * the base we sent since (at our current term, not yet acknowledged), so
   * that base, arriving after it, answers it.
   */
  private answeredInFlight(message: Extract<ReceivedReplicationMessage, { kind: 'resync' }>): boolean {
    const flight = this.baseInFlight;
    if (!flight || flight.term !== this.options.term() || message.of !== this.stream || message.seen === undefined) return false;
    return message.seen < flight.first;
  }

  /** The peer asked for our whole content (a `resync`, or a snapshot saying it needs it). */
  private baseAsked(role: ReplicationRole): void {
    this.resyncWanted = true;
    if (role === 'primary') this.sendBase();
    else this.updatePoll();
    this.reportHealth();
  }

  /**
   * Sends our whole content: `same` when the peer's digest is ours, else the
   * stored lines in frame-sized `base` parts, one part a turn of the event
   * loop. Changes made meanwhile go out after the last part, so the peer
   * ends with the content as of then: each part holds its bindings as they
   * were when it was read, and every change made since the first part
   * follows (a change applied again is a no-op). A base begun again (a new
   * `resync`, a newer term) starts over at part 0; the peer's replacement
   * starts over with it.
   */
  private sendBase(): void {
    this.flushBatch();
    this.resyncWanted = false;
    this.updatePoll();
    const term = this.options.term();
    this.contentTerm = term; // the whole content makes up for everything unacknowledged before it
    const held = this.baseOut?.held ?? [];
    this.baseOut = undefined;
    this.baseSeq = undefined;
    const digest = this.options.store.digest();
    const same = this.peerDigest === digest;
    this.peerDigest = undefined;
    if (same) {
      // The peer holds what we hold: say so, with our digest here, for it to check.
      const seq = this.channel.send({ kind: 'base', v: CODEC_VERSION, from: this.stream, term, part: 0, last: true, bindings: [], same: digest });
      this.tracker.track(seq, false);
      this.baseSeq = seq;
      this.baseInFlight = { first: seq, term };
      this.sendHeld(held);
      return;
    }
    this.baseOut = { term, next: 0, part: 0, count: 0, held };
    this.sendBasePart(this.baseOut);
  }

  /** Sends the next part of `out` (the stored lines themselves: nothing is encoded for a resync), and asks for a turn for the one after. */
  private sendBasePart(out: NonNullable<BindingReplicator['baseOut']>): void {
    if (this.baseOut !== out || this.stopped) return; // begun again, or given up
    // Demoted between two parts (noticed here if nobody said so): becoming backup gives the base up.
    if (this.options.role() !== 'primary') {
      this.checkRole();
      return;
    }
    const { lines, next, done } = this.options.store.encodedFrom(out.next, this.basePartBytes, lineBytes);
    const seq = this.channel.send({ kind: 'base', v: CODEC_VERSION, from: this.stream, term: out.term, part: out.part, last: done, bindings: lines });
    this.tracker.track(seq, false);
    if (out.part === 0) this.baseInFlight = { first: seq, term: out.term };
    out.part++;
    out.next = next;
    out.count += lines.length;
    if (!done) {
      this.defer(() => this.sendBasePart(out));
      return;
    }
    this.baseSeq = seq; // its ack says the peer holds the whole content
    this.baseOut = undefined;
    this.sendHeld(out.held);
    if (out.count >= BULK_BINDINGS) this.options.onBulkWork?.(`sent its ${out.count} bindings to the peer`);
  }

  /** Gives up the base being sent (a role change, a stop); the changes held back go out now, in order. */
  private abortBase(): void {
    const out = this.baseOut;
    if (!out) return;
    this.baseOut = undefined;
    this.sendHeld(out.held);
  }

  private sendHeld(held: readonly Batch[]): void {
    for (const batch of held) this.sendBatch(batch);
  }

  /** The channel's snapshot: our content if we are primary and it fits in a frame; else `null` (the backup asks for `base`). */
  private snapshot(): ReplicationSnapshot {
    // No checkRole() here: the channel calls this mid-catch-up, where sending would interleave.
    const term = this.options.term();
    // A backup without the primary's content says so: a `resync` it sent may be among the messages this snapshot replaces.
    if (this.options.role() !== 'primary') {
      if (this.haveBase) return { v: CODEC_VERSION, from: this.stream, term, bindings: null };
      const digest = this.wantWholeBase ? {} : { digest: this.options.store.digest() };
      return { v: CODEC_VERSION, from: this.stream, term, bindings: null, needsBase: true, ...digest };
    }
    // Read no further than a frame holds: a large store is sent as `base` parts instead.
    const { lines, bytes, done } = this.options.store.encodedFrom(0, this.snapshotBytes, lineBytes);
    return { v: CODEC_VERSION, from: this.stream, term, bindings: done && bytes <= this.snapshotBytes ? lines : null };
  }

  private onAck(message: Extract<ReceivedReplicationMessage, { kind: 'ack' }>): void {
    // An ack of an earlier life of this node, or of messages we never sent, proves nothing.
    if (message.of !== this.stream || message.seq > this.channel.stats().lastSentSeq) return;
    this.peerSynced = true; // it follows our stream, whether or not we saw its catch-up end
    this.tracker.ack(message.seq);
    if (this.baseSeq !== undefined && message.seq >= this.baseSeq) {
      this.baseSeq = undefined;
      this.baseInFlight = undefined;
      this.divergent = false; // the peer holds our whole content
    }
    this.reportHealth();
  }

  /** Sync mode with `onTimeout: 'reject'`: an unacknowledged change is never reported as accepted. */
  private get rejecting(): boolean {
    return this.options.mode === 'sync' && this.options.onTimeout === 'reject';
  }

  private stalled(unacked: number): void {
    // Under `reject` nothing is answered without waiting: the out-of-sync event says what happens instead.
    if (this.options.mode === 'sync' && !this.rejecting) {
      this.options.emit(this.options.events.syncFallback, { timeout: this.options.syncTimeout, unacked });
    }
    this.updatePoll();
    this.reportHealth();
  }

  /**
   * Polls role and term while we wait for a change nobody may tell us of:
   * asked for our content while backup (answered once we are primary, even
   * without roleChanged()), or stalled as primary (a newer term may be why,
   * see {@link resendAtNewTerm}; term changes alone fire no hook).
   */
  private updatePoll(): void {
    const needed = !this.stopped && (this.role === 'backup' ? this.resyncWanted : this.tracker.stalled);
    if (needed && !this.rolePoll) this.rolePoll = this.options.clock.setInterval(() => this.checkRole(), ROLE_POLL_MS);
    if (!needed && this.rolePoll) {
      this.rolePoll.cancel();
      this.rolePoll = undefined;
    }
  }

  // ---- both: receiving -------------------------------------------------------

  private onMessage(message: unknown, seq: number): void {
    const known = isReplicationMessage(message);
    const from = known ? message.from : this.peerStream;
    const contiguous = seq === this.lastSeenSeq + 1 && (this.peerStream === undefined || from === this.peerStream);
    this.followStream(from);
    this.lastSeenSeq = seq;
    if (!known) {
      const mismatch = this.warnUnreadable(message, `ignoring a malformed message #${seq} on channel ${BINDINGS_CHANNEL}`);
      if (this.checkRole() === 'primary') this.ignoredPeerContent = true; // it may have been a change
      else if (this.haveBase || mismatch) {
        this.haveBase = false; // it may have been a change
        this.askResync(mismatch ?? 'an unreadable message from the primary');
      }
      return;
    }
    const role = this.checkRole();
    if (!contiguous && role === 'backup' && this.haveBase) {
      this.haveBase = false;
      this.askResync('missed changes from the primary');
    }
    switch (message.kind) {
      case 'ack':
        if (role === 'primary') this.onAck(message);
        return;
      case 'resync':
        // Asked before the peer saw the base already on its way (it asks at each catch-up): that base answers it.
        if (role === 'primary' && this.answeredInFlight(message)) return;
        this.peerDigest = message.digest;
        this.baseAsked(role);
        return;
      case 'changes':
      case 'base':
        if (role === 'primary') {
          this.warnOnce('primary', `ignoring ${message.kind} messages from the peer: this node is primary`);
          this.ignoredPeerContent = true;
          return;
        }
        if (this.refuseStale(message.from, termOf(message), seq)) return;
        this.peerActsAsPrimary();
        if (message.kind === 'changes') {
          // A primary of our term: only its whole content makes up for what we refused.
          if (this.fence.takeRefusedSinceBase()) this.askResync('content of an older term was refused', true);
          this.applyChanges(message.changes, seq);
        } else {
          this.onBasePart(message, seq, contiguous);
        }
        return;
    }
  }

  /** The primary's lines, applied as they are (the journal records the same strings). */
  private applyChanges(lines: readonly string[], seq: number): void {
    for (const line of lines) {
      if (this.options.store.applyEncoded(line, 'replica') !== null) continue;
      this.warnOnce('malformed', `ignoring a malformed change in message #${seq} on channel ${BINDINGS_CHANNEL}`);
      if (this.haveBase) {
        this.haveBase = false;
        this.askResync('an unreadable change from the primary');
      }
    }
    this.lastAppliedSeq = seq;
    this.scheduleAck();
  }

  /**
   * One part of the primary's base, applied as it arrives (each part is a
   * few milliseconds of work; the whole content at once would block the
   * loop for as long as it is large). The last part removes what no part held.
   */
  private onBasePart(message: Extract<ReceivedReplicationMessage, { kind: 'base' }>, seq: number, contiguous: boolean): void {
    const store = this.options.store;
    if (message.same !== undefined) {
      this.baseParts = undefined;
      if (store.digest() !== message.same) {
        this.wantWholeBase = true;
        this.askResync('this node’s bindings differ from the primary’s', true);
        return;
      }
      this.synced = true;
      this.adoptBase(0, seq);
      return;
    }
    if (message.part === 0) {
      // Until the last part our copy is part old, part new: not the primary's.
      this.haveBase = false;
      this.outOfSyncReason = 'taking the primary’s full content';
      this.baseParts = { from: message.from, next: 0, replacement: store.beginReplace(), count: 0 };
    }
    const parts = this.baseParts;
    if (!parts || parts.from !== message.from || parts.next !== message.part || (message.part > 0 && !contiguous)) {
      this.baseParts = undefined;
      this.askResync('an incomplete full resync');
      return;
    }
    parts.next++;
    parts.count += message.bindings.length;
    if (store.replacePart(parts.replacement, message.bindings, 'replica') > 0) {
      this.baseParts = undefined;
      this.unreadableBase();
      return;
    }
    if (!message.last) return;
    this.baseParts = undefined;
    if (!store.finishReplace(parts.replacement, 'replica')) {
      this.askResync('the bindings changed while the primary’s content arrived', true);
      return;
    }
    // The answer to our request: we now follow the primary's stream live.
    this.synced = true;
    this.adoptBase(parts.count, seq);
  }

  /** The primary's content held malformed lines (the rest was applied): our copy is not the primary's. */
  private unreadableBase(): void {
    this.warnOnce('malformed-base', `ignoring malformed bindings in the primary's content on channel ${BINDINGS_CHANNEL}`);
    this.haveBase = false;
    this.askResync('unreadable content from the primary', true);
  }

  private onSnapshot(data: unknown, seq: number): void {
    this.lastSeenSeq = seq;
    this.synced = false; // a catch-up is under way; onSynced ends it
    if (!isReplicationSnapshot(data)) {
      const mismatch = this.warnUnreadable(data, `ignoring a malformed snapshot on channel ${BINDINGS_CHANNEL}`, 'snapshot');
      this.haveBase = false;
      if (this.checkRole() === 'backup') this.askResync(mismatch ?? 'an unreadable snapshot from the primary');
      else this.ignoredPeerContent = true;
      return;
    }
    this.followStream(data.from);
    // The snapshot replaced the messages we missed, a `resync` among them maybe: it says so itself.
    if (data.needsBase) {
      this.peerDigest = data.digest;
      this.baseAsked(this.checkRole());
    }
    if (this.checkRole() !== 'backup') {
      if (data.bindings) this.ignoredPeerContent = true; // the peer acts as primary
      return;
    }
    // A snapshot stands for every message up to `seq`: refused, none of them may be acknowledged.
    if (this.refuseStale(data.from, termOf(data), 1)) return;
    if (data.bindings) {
      this.peerActsAsPrimary();
      // At most a frame of bindings: taken in this turn.
      const replacement = this.options.store.beginReplace();
      if (this.options.store.replacePart(replacement, data.bindings, 'replica') > 0) return this.unreadableBase();
      this.options.store.finishReplace(replacement, 'replica');
      this.adoptBase(data.bindings.length, seq);
    } else {
      this.haveBase = false;
      this.askResync('the primary sent no snapshot (too large for one frame)');
    }
  }

  private onSynced(): void {
    this.synced = true;
    this.peerSynced = true;
    if (this.checkRole() === 'backup') {
      // Asked again at each catch-up: an earlier `resync` may have been replaced by a snapshot of our stream, unread.
      if (!this.haveBase) this.askResync(this.resyncAsked ? this.outOfSyncReason : 'caught up without the primary’s full content', true);
      this.sendAck();
    }
    this.reportHealth();
  }

  /** The primary's whole content (`count` bindings taken; 0 when ours was found the same by digest) is ours as of `seq`. */
  private adoptBase(count: number, seq: number): void {
    this.haveBase = true;
    this.divergent = false;
    this.wantWholeBase = false;
    this.ignoredPeerContent = false;
    this.fence.baseAdopted();
    this.resyncAsked = undefined;
    this.lastAppliedSeq = seq;
    this.sendAck(); // rare and large: let the primary know at once
    if (this.synced) this.reportHealth(); // mid catch-up, onSynced reports
    if (count >= BULK_BINDINGS) this.options.onBulkWork?.(`took the primary's ${count} bindings`);
  }

  private followStream(from: string | undefined): void {
    if (from !== this.peerStream) this.fence.newStream();
    this.peerStream = from;
  }

  /**
   * Content sent at a term older than ours is refused: not applied, and not
   * acknowledged (nor anything after it). Our copy is no longer the
   * primary's: we ask for its whole content, which only a primary of our
   * term can give (the `change` case asks again when one speaks).
   */
  private refuseStale(from: string, term: number, seq: number): boolean {
    if (!this.fence.refuses(from, term, seq)) return false;
    this.haveBase = false;
    this.baseParts = undefined;
    this.askResync(`refused content of term ${term} from the peer; this node is at term ${this.options.term()}`);
    return true;
  }

  /** The peer sends changes: it is primary and needs nothing from us. */
  private peerActsAsPrimary(): void {
    if (!this.resyncWanted) return;
    this.resyncWanted = false;
    this.updatePoll();
  }

  // ---- backup: asking --------------------------------------------------------

  /** Asks the peer's stream for the whole content, once per stream (`again`: a second time). */
  private askResync(reason: string, again = false): void {
    this.outOfSyncReason = reason;
    this.reportHealth();
    if (!again && this.resyncAsked && this.resyncAsked.stream === this.peerStream) return;
    this.resyncAsked = { stream: this.peerStream };
    const digest = this.wantWholeBase ? {} : { digest: this.options.store.digest() };
    // Where we are in the peer's stream: a base the peer sent after that point answers this request.
    const seen = this.peerStream === undefined ? {} : { of: this.peerStream, seen: this.lastSeenSeq };
    this.channel.send({ kind: 'resync', from: this.stream, term: this.options.term(), ...digest, ...seen });
  }

  private scheduleAck(): void {
    if (this.options.mode === 'sync') {
      this.sendAck();
      return;
    }
    if (this.ackTimer) return;
    this.ackTimer = this.options.clock.setTimeout(() => {
      this.ackTimer = undefined;
      this.sendAck();
    }, (this.options.ackInterval ?? 0.05) * 1000);
  }

  private sendAck(): void {
    this.ackTimer?.cancel();
    this.ackTimer = undefined;
    const of = this.peerStream;
    if (this.stopped || this.checkRole() !== 'backup' || of === undefined) return;
    // Never past a refused message: an ack says everything up to `seq` is applied here.
    const seq = this.fence.ackable(this.lastSeenSeq);
    if (seq === undefined || (this.lastAck?.of === of && this.lastAck.seq >= seq)) return;
    this.lastAck = { of, seq };
    this.channel.send({ kind: 'ack', from: this.stream, term: this.options.term(), of, seq });
  }

  // ---- health --------------------------------------------------------------

  /** In sync, ignoring momentary lag (what the events report). */
  private healthy(): boolean {
    if (this.role === 'primary') return this.peerSynced && !this.tracker.stalled && !this.resyncWanted;
    return this.synced && this.haveBase;
  }

  /** Emits inSync / outOfSync on a change of health (not at start-up, before the first inSync). */
  private reportHealth(): void {
    const ok = this.healthy();
    if (ok === this.reportedInSync) return;
    const before = this.reportedInSync;
    this.reportedInSync = ok;
    if (ok) this.options.emit(this.options.events.inSync, { role: this.role });
    else if (before) this.options.emit(this.options.events.outOfSync, { role: this.role, reason: this.unhealthyReason() });
  }

  private unhealthyReason(): string {
    if (this.role === 'backup') return this.outOfSyncReason;
    if (this.tracker.stalled) {
      const lag = this.tracker.lag;
      const refused = this.rejecting ? '; REGISTERs that change bindings are answered 500 (Retry-After) until it does' : '';
      return `the backup has not acknowledged ${lag} change${lag === 1 ? '' : 's'} within ${this.options.syncTimeout}s${refused}`;
    }
    if (this.resyncWanted) return 'the backup asked for a full resync';
    return 'waiting for the backup';
  }

  /**
   * A message or snapshot this node cannot read. One of another format
   * version (a peer not upgraded with this one) says so, with its code:
   * both nodes of a pair must run the same replication format.
   */
  private warnUnreadable(value: unknown, message: string, key = 'malformed'): string | undefined {
    const version = otherVersion(value);
    if (version === undefined) {
      this.warnOnce(key, message);
      return undefined;
    }
    const text = versionMismatch(version);
    if (this.warned.has('version')) return text;
    this.warned.add('version');
    this.options.logger?.error(text, { channel: BINDINGS_CHANNEL, code: REPLICATION_VERSION_ERROR });
    return text;
  }

  private warnOnce(key: string, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.options.logger?.warn(message, { channel: BINDINGS_CHANNEL });
  }
}


/** The refusal of a peer that speaks another replication format: what it is, and what to do. */
function versionMismatch(version: number): string {
  return `${REPLICATION_VERSION_ERROR}: the peer sends bindings in replication format version ${version}; this node reads only version ${CODEC_VERSION}, so nothing the peer sends is applied. Upgrade both nodes of the pair to the same release (they must be upgraded together).`;
}
