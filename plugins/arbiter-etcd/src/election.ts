import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Clock, TimerHandle } from '@switchyard/sdk';
import { Etcd3, EtcdLeaseInvalidError, type IKeyValue, type IOptions } from 'etcd3';
import { ClusterView, type LeaderRecord } from './cluster-view';
import { withDeadline } from './deadline';
import { ElectionKeys } from './election-keys';
import { NODE_ID, resolveElectionOptions, type EtcdElectionOptions, type ResolvedElectionOptions } from './election-options';
import { EtcdArbiterError } from './errors';
import { faultHandling } from './fault-handling';
import { KeyWatch } from './key-watch';
import { Inbox } from './inbox';
import { encodeJson, parseUntrustedJson } from './json-value';
import { LeaseKeeper } from './lease-keeper';
import { PublishedState } from './published-state';

/** How often the whole state is read again, in case a watch event was missed. */
const REREAD_INTERVAL_MS = 1000;

/** The answer of {@link EtcdElection.campaign}. */
export interface CampaignResult {
  /** Whether this node holds the leader key now (just won it, or held it already under its lease). */
  won: boolean;
  /** The leader after the campaign (null only if the key vanished in between). */
  leader: LeaderRecord | null;
}

type Phase = 'new' | 'starting' | 'running' | 'stopped';

/**
 * A leader election on etcd, with each node's published state and a small
 * mailbox between nodes. One instance per agent (node id).
 *
 * The leader is whoever created `<prefix>leader` under its own lease; the
 * key's create revision is the term, so every new leadership has a higher
 * term than any before it. A node that dies stops its keepalives and etcd
 * deletes its keys after the lease TTL; a node that knows its service died
 * calls {@link revoke} and the keys go at once.
 *
 * Everything after {@link start} runs in the background and never throws:
 * while etcd is unreachable `connected` is false, `leaseConfirmedAt` stops
 * advancing, and the lease is kept alive again (or granted anew, and the
 * published state re-put) once etcd answers.
 */
export class EtcdElection {
  private readonly options: ResolvedElectionOptions;
  private readonly keys: ElectionKeys;
  private readonly clock: Clock;
  private readonly view: ClusterView;
  private phase: Phase = 'new';
  private client: Etcd3 | null = null;
  private keeper: LeaseKeeper | null = null;
  private watches: KeyWatch[] = [];
  private timers: TimerHandle[] = [];
  private isConnected = false;
  /** `leader` was read from etcd since it last became reachable (see {@link leaderCurrent}). */
  private leaderFresh = false;
  private rereading = false;
  private stopping: Promise<void> | null = null;
  private notifyPending = false;

  private readonly published: PublishedState;
  private readonly inbox: Inbox;

  constructor(options: EtcdElectionOptions) {
    this.options = resolveElectionOptions(options);
    this.clock = this.options.clock;
    this.keys = new ElectionKeys(this.options.prefix, this.options.nodeId);
    this.view = new ClusterView(this.options.nodeId);
    this.published = new PublishedState({
      leaseId: () => this.leaseId,
      put: async (json) => {
        const client = this.running();
        const leaseId = this.requireLease();
        await this.underLease(leaseId, 'publish', () => client.put(this.keys.node(this.options.nodeId)).value(json).lease(leaseId).exec());
        return leaseId;
      },
    });
    this.inbox = new Inbox({
      remove: async (key) => {
        const client = this.running();
        const removed = await this.call('inbox take', () => client.delete().key(key).getPrevious());
        return this.phase === 'running' ? removed[0]?.value : undefined;
      },
      deliver: (from, body) => {
        this.options.onMessage(from, body);
        this.changed();
      },
    });
  }

  /** True while the latest etcd call (keepalive, read, txn) succeeded; false once one failed or timed out. */
  get connected(): boolean {
    return this.isConnected;
  }

  /** This node's lease id (decimal string), or null while it has none. */
  get leaseId(): string | null {
    return this.keeper?.leaseId ?? null;
  }

  /**
   * `clock.monotonic()` at which the latest keepalive (or grant) that etcd
   * confirmed was sent. etcd keeps this node's lease, and the leader key if
   * it holds it, at least until `leaseConfirmedAt + leaseTtl * 1000` by this
   * clock. Null while there is no lease. Moves on every keepalive, without
   * an `onChange` call.
   */
  get leaseConfirmedAt(): number | null {
    return this.keeper?.confirmedAt ?? null;
  }

  /** The leader key's value and create revision (the term); null when there is no leader. */
  get leader(): LeaderRecord | null {
    return this.view.leader;
  }

  /**
   * True while etcd is reachable and `leader` was read from it since it last
   * became reachable. Just after a reconnect `leader` is the last one known
   * from before, which may be long gone: a node cut off past its lease must
   * not be ordered primary at its old term before its agent has read who
   * leads now.
   */
  get leaderCurrent(): boolean {
    return this.isConnected && this.leaderFresh;
  }

  /** The highest term (leader create revision) ever seen by this instance. */
  get highestTerm(): number {
    return this.view.highestTerm;
  }

  /** Other nodes' published state by node id (this node's own is not in it). */
  get peers(): ReadonlyMap<string, unknown> {
    return this.view.peers;
  }

  /**
   * Reads the TLS files, creates the etcd client and starts the background
   * work: lease grant and keepalives, watches of the leader key, the nodes'
   * state and this node's inbox, and a re-read every second. Resolves
   * without waiting for etcd. Throws `SWY_ERR_ETCD_TLS_FILE` for an
   * unreadable TLS file, `SWY_ERR_ETCD_NOT_RUNNING` when called twice.
   */
  async start(): Promise<void> {
    if (this.phase !== 'new') throw new EtcdArbiterError('SWY_ERR_ETCD_NOT_RUNNING', `start() was called twice (election of ${this.options.nodeId})`);
    this.phase = 'starting';
    const credentials = await this.readCredentials();
    if (this.phase !== 'starting') return; // stop() came first
    const { endpoints, requestTimeoutMs } = this.options;
    const client = new Etcd3({
      hosts: endpoints,
      credentials,
      // Not used by etcd3 1.1.2; every unary call carries its own deadline instead (below).
      dialTimeout: requestTimeoutMs,
      defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + requestTimeoutMs }),
      grpcOptions: {
        // Two elections in one process (tests, an agent and a tool) must not share connections or their backoff.
        'grpc.use_local_subchannel_pool': 1,
        // gRPC's reconnect backoff grows to 2 minutes by default: etcd back after a restart must be seen within a TTL.
        'grpc.initial_reconnect_backoff_ms': 100,
        'grpc.max_reconnect_backoff_ms': 1000,
        // Finds a watch stream whose peer vanished; etcd refuses pings more often than every 5 s.
        'grpc.keepalive_time_ms': 10_000,
        'grpc.keepalive_timeout_ms': 5_000,
      },
      faultHandling: faultHandling(endpoints, this.clock),
    });
    this.client = client;
    this.keeper = new LeaseKeeper({
      client,
      clock: this.clock,
      ttl: this.options.leaseTtl,
      keepaliveIntervalMs: this.options.keepaliveIntervalMs,
      requestTimeoutMs,
      endpoints: endpoints.length,
      call: (what, run) => this.call(what, run),
      changed: () => this.changed(),
      granted: () => this.published.granted(),
    });
    this.phase = 'running';
    this.keeper.start();
    this.watch(client);
    this.timers.push(this.clock.setInterval(() => void this.reread(), REREAD_INTERVAL_MS));
    void this.reread();
  }

  /**
   * Stops every loop, timer and watch and closes the client; nothing keeps
   * the process alive afterwards. With `revoke` (a graceful shutdown) the
   * lease is revoked first, within `requestTimeout`, so the leader key and
   * this node's state go at once rather than after the TTL. Idempotent.
   */
  stop(options: { revoke?: boolean } = {}): Promise<void> {
    this.stopping ??= this.shutdown(options.revoke === true);
    return this.stopping;
  }

  /**
   * Tries to become leader in one transaction: creates `<prefix>leader` =
   * nodeId under this node's lease if the key does not exist. `won` is also
   * true when this node holds the key already (same lease). The term of a
   * fresh win is the transaction's revision.
   * Throws `SWY_ERR_ETCD_NO_LEASE` without a lease, `SWY_ERR_ETCD_UNREACHABLE`.
   */
  async campaign(): Promise<CampaignResult> {
    const client = this.running();
    const leaseId = this.requireLease();
    const key = this.keys.leader;
    const response = await this.underLease(leaseId, 'campaign', () =>
      client.if(key, 'Create', '==', 0).then(client.put(key).value(this.options.nodeId).lease(leaseId)).else(client.get(key)).commit(),
    );
    const revision = Number(response.header.revision);
    if (response.succeeded) {
      const leader = { nodeId: this.options.nodeId, term: revision };
      this.applyLeader(leader, revision);
      return { won: true, leader };
    }
    const kv = response.responses[0]?.response_range?.kvs[0];
    const leader = kv ? leaderOf(kv) : null;
    this.applyLeader(leader, revision);
    return { won: kv !== undefined && kv.lease === leaseId, leader };
  }

  /**
   * Gives up the leadership: deletes `<prefix>leader` only if it holds this
   * node's id under this node's lease. Returns whether it was deleted.
   */
  async resign(): Promise<boolean> {
    const client = this.running();
    const leaseId = this.leaseId;
    if (leaseId === null) return false; // without a lease this node holds nothing
    const key = this.keys.leader;
    const response = await this.underLease(leaseId, 'resign', () =>
      client.if(key, 'Value', '==', this.options.nodeId).and(key, 'Lease', '==', leaseId).then(client.delete().key(key)).commit(),
    );
    if (response.succeeded) this.applyLeader(null, Number(response.header.revision));
    return response.succeeded;
  }

  /**
   * Revokes this node's lease now: etcd deletes the leader key (if held) and
   * this node's published state with it, and other nodes see that at once.
   * A fresh lease is then granted in the background (the published state is
   * re-put under it). Throws `SWY_ERR_ETCD_UNREACHABLE` if etcd did not
   * confirm; the old lease then ends on its TTL.
   */
  async revoke(): Promise<void> {
    this.running();
    await this.keeper!.revoke();
  }

  /**
   * Publishes this node's state as JSON under `<prefix>nodes/<nodeId>`, under
   * its lease. The latest state is remembered and re-put whenever a new lease
   * is granted or etcd lost it. Throws `SWY_ERR_ETCD_VALUE_*` for a value that
   * cannot be sent, `SWY_ERR_ETCD_NO_LEASE` / `SWY_ERR_ETCD_UNREACHABLE` if it
   * could not be put now (it will be later).
   */
  async publish(state: unknown): Promise<void> {
    this.running();
    await this.published.set(encodeJson(state, 'published state'));
  }

  /**
   * Sends `body` to node `to`: puts `<prefix>inbox/<to>/<random id>` = JSON
   * `{from, body}` under this node's lease. The receiver's `onMessage` gets it
   * once and deletes it; if this node's lease ends first, the message goes
   * with it. Throws like {@link publish}.
   */
  async send(to: string, body: unknown): Promise<void> {
    const client = this.running();
    if (!NODE_ID.test(to)) throw new EtcdArbiterError('SWY_ERR_ETCD_OPTIONS_INVALID', `send(): "${to}" is not a node id (1-63 letters, digits, "-" or "_")`);
    const json = encodeJson({ from: this.options.nodeId, body }, `the message to ${to}`);
    const leaseId = this.requireLease();
    const key = `${this.keys.inboxOf(to)}${randomUUID()}`;
    await this.underLease(leaseId, `message to ${to}`, () => client.put(key).value(json).lease(leaseId).exec());
  }

  // --- background work ---------------------------------------------------

  private watch(client: Etcd3): void {
    const watch = (key: string, prefix: boolean, event: (kv: IKeyValue, deleted: boolean) => void) => {
      // (Re)established: a re-read right away closes any doubt about what happened meanwhile.
      const w = new KeyWatch(client, this.clock, { key, prefix }, { event, established: () => void this.reread() });
      this.watches.push(w);
      w.start();
    };
    watch(this.keys.leader, false, (kv, deleted) => this.applyLeader(deleted ? null : leaderOf(kv), Number(kv.mod_revision)));
    watch(this.keys.nodes, true, (kv, deleted) => {
      const id = this.keys.nodeIdOf(kv.key.toString());
      if (id === undefined) return;
      if (this.view.applyPeer(id, deleted ? undefined : parseUntrustedJson(kv.value), Number(kv.mod_revision))) this.changed();
    });
    watch(this.keys.inbox, true, (kv, deleted) => {
      if (!deleted) this.inbox.offer(kv.key.toString());
    });
  }

  /** The safety net: leader, nodes and inbox read in one transaction (one revision), every second. */
  private async reread(): Promise<void> {
    const client = this.client;
    if (this.phase !== 'running' || !client || this.rereading) return;
    this.rereading = true;
    try {
      const ranges = () => [client.get(this.keys.leader), client.getAll().prefix(this.keys.nodes), client.getAll().prefix(this.keys.inbox)];
      // A transaction only to read three ranges at one revision: both branches are the same.
      const response = await this.call('re-read', () =>
        client
          .if(this.keys.leader, 'Create', '==', 0)
          .then(...ranges())
          .else(...ranges())
          .commit(),
      );
      if (this.phase !== 'running') return;
      const revision = Number(response.header.revision);
      const [leaderRange, nodesRange, inboxRange] = response.responses.map((r) => r.response_range?.kvs ?? []);
      const leaderKv = leaderRange?.[0];
      this.applyLeader(leaderKv ? leaderOf(leaderKv) : null, revision);
      const peers = new Map<string, unknown>();
      let own: IKeyValue | undefined;
      for (const kv of nodesRange ?? []) {
        const id = this.keys.nodeIdOf(kv.key.toString());
        if (id === this.options.nodeId) own = kv;
        const value = parseUntrustedJson(kv.value);
        if (id !== undefined && value !== undefined) peers.set(id, value);
      }
      if (this.view.applyPeerSnapshot(peers, revision)) this.changed();
      const inbox = [...(inboxRange ?? [])].sort((a, b) => Number(a.create_revision) - Number(b.create_revision));
      for (const kv of inbox) this.inbox.offer(kv.key.toString());
      this.published.check(own);
    } catch {
      /* `connected` says it; the next round tries again */
    } finally {
      this.rereading = false;
    }
  }

  // --- plumbing ------------------------------------------------------------

  /**
   * One etcd call within `requestTimeout`. Records the outcome in `connected`:
   * any answer from etcd counts, including "lease not found" (rethrown as is);
   * anything else becomes `SWY_ERR_ETCD_UNREACHABLE`.
   */
  private async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      const result = await withDeadline(this.clock, this.options.requestTimeoutMs, what, run());
      this.setConnected(true);
      return result;
    } catch (error) {
      if (error instanceof EtcdLeaseInvalidError) {
        this.setConnected(true);
        throw error;
      }
      this.setConnected(false);
      throw new EtcdArbiterError('SWY_ERR_ETCD_UNREACHABLE', `${what} failed (${this.options.endpoints.join(', ')}): ${describe(error)}`, { cause: error });
    }
  }

  /** A call that uses `leaseId`: "lease not found" means the lease is gone, so a new one is granted. */
  private async underLease<T>(leaseId: string, what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await this.call(what, run);
    } catch (error) {
      if (!(error instanceof EtcdLeaseInvalidError)) throw error;
      this.keeper?.lost(leaseId);
      throw new EtcdArbiterError('SWY_ERR_ETCD_NO_LEASE', `${what}: etcd no longer has lease ${leaseId}; a new one is being granted`, { cause: error });
    }
  }

  private applyLeader(leader: LeaderRecord | null, revision: number): void {
    const wasFresh = this.leaderFresh;
    this.leaderFresh = true; // an answer from etcd just said who leads
    if (this.view.applyLeader(leader, revision) || !wasFresh) this.changed();
  }

  private setConnected(connected: boolean): void {
    if (this.phase !== 'running' || this.isConnected === connected) return;
    this.isConnected = connected;
    if (!connected) this.leaderFresh = false;
    // Watches waiting out their retry delay would otherwise miss up to a second of events.
    if (connected) for (const watch of this.watches) watch.retryNow();
    this.changed();
  }

  /**
   * Calls `onChange` once per batch of changes, in a microtask: by then every
   * property shows the whole batch (a keepalive's confirmation together with
   * `connected`), and `onChange` never runs inside a call of the caller's.
   */
  private changed(): void {
    if (this.notifyPending || this.phase === 'stopped') return;
    this.notifyPending = true;
    queueMicrotask(() => {
      this.notifyPending = false;
      if (this.phase !== 'stopped') this.options.onChange();
    });
  }

  private running(): Etcd3 {
    if (this.phase !== 'running' || !this.client) {
      throw new EtcdArbiterError('SWY_ERR_ETCD_NOT_RUNNING', `the etcd election of ${this.options.nodeId} is ${this.phase === 'stopped' ? 'stopped' : 'not started'}`);
    }
    return this.client;
  }

  private requireLease(): string {
    const leaseId = this.leaseId;
    if (leaseId === null) {
      throw new EtcdArbiterError('SWY_ERR_ETCD_NO_LEASE', `${this.options.nodeId} has no etcd lease right now (connected: ${this.isConnected})`);
    }
    return leaseId;
  }

  private async readCredentials(): Promise<IOptions['credentials']> {
    const tls = this.options.tls;
    if (!tls) return undefined;
    const read = async (which: 'ca' | 'cert' | 'key'): Promise<Buffer | undefined> => {
      const file = tls[which];
      if (file === undefined) return undefined;
      try {
        return await readFile(file);
      } catch (cause) {
        throw new EtcdArbiterError('SWY_ERR_ETCD_TLS_FILE', `tls.${which}: cannot read ${file}: ${describe(cause)}`, { cause });
      }
    };
    const [ca, cert, key] = [await read('ca'), await read('cert'), await read('key')];
    // etcd3 types the CA as required, but gRPC takes null for "the system's CAs".
    return { rootCertificate: ca ?? (null as unknown as Buffer), certChain: cert, privateKey: key };
  }

  private async shutdown(revoke: boolean): Promise<void> {
    const wasRunning = this.phase === 'running';
    this.phase = 'stopped';
    for (const timer of this.timers) timer.cancel();
    this.timers = [];
    if (!wasRunning) return;
    this.isConnected = false;
    const ms = this.options.requestTimeoutMs;
    await this.keeper?.stop(revoke);
    const watches = this.watches;
    this.watches = [];
    await Promise.all(watches.map((w) => withDeadline(this.clock, ms, 'watch cancel', w.stop()).catch(() => undefined)));
    this.client?.close();
  }
}

function leaderOf(kv: IKeyValue): LeaderRecord {
  const value = kv.value.toString('utf8');
  // Untrusted: a value no node could have written is shown as such, never as a node id.
  return { nodeId: NODE_ID.test(value) ? value : '(invalid)', term: Number(kv.create_revision) };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
