import type { SipApi } from '@switchyard/plugin-sip';
import { escapePeerText, type MonitorHandle, type PluginEngine, type Role, type TimerHandle } from '@switchyard/sdk';
import { judgeAddress, type InterfaceSource, type InterfaceWatcher } from '@switchyard/sdk/network';
import { VipEvent } from './events';
import type { VipAddress } from './vip-address';
import type { VipAction, VipScripts } from './vip-scripts';

/** What is wrong with the VIP on this node. */
export type VipProblem = 'missing' | 'present-on-backup' | 'not-listening' | 'no-interface';

/** This plugin's section of `switchyard status --json` (`nodes[].sipIptakeoverMonitoring`). */
export interface VipStatus {
  vip: string;
  /** The interface the VIP goes on (configured, or the SIP address's); null while unknown. */
  interface: string | null;
  role: Role;
  /** What this node's role asks for: the primary holds the VIP, the backup does not. */
  expected: 'present' | 'absent';
  /** Whether the VIP is on this host at the last check; null when the interfaces could not be read. */
  present: boolean | null;
  /** Whether the SIP service listens on the VIP. */
  listening: boolean;
  ok: boolean;
  problem: VipProblem | null;
  reason: string | null;
  /** Script runs (or listen attempts) in the current failure; 0 when ok. */
  attempts: number;
  /** The last script that failed, and why (escaped); null when none failed since the VIP was last right. */
  lastScriptFailure: string | null;
  /** Seconds since the verdict last changed. */
  since: number;
  /** Seconds since the last check; null before the first. */
  lastCheck: number | null;
}

export interface VipTakeoverSpec {
  vip: VipAddress;
  /** Configured interface; undefined to use the one carrying `sipHost`. */
  interface: string | undefined;
  /** The SIP listener's address (canonical literal), to find the default interface. */
  sipHost: string;
  checkInterval: number;
  attempts: number;
  gratuitousArp: boolean;
  scripts: VipScripts;
  /** Watches the VIP address on this host's interfaces. */
  watcher: InterfaceWatcher;
  /** Where interfaces are read (to find the SIP address's interface). */
  source: InterfaceSource;
  sip: Pick<SipApi, 'listenOn' | 'stopListening'>;
}

/** Why a check runs: the periodic tick, an address change seen, or a role change (a move, not a failure). */
type Trigger = 'start' | 'tick' | 'change' | 'role';

type Verdict = { problem: VipProblem; reason: string } | undefined;

interface Episode {
  problem: VipProblem;
  reason: string;
  startedAt: number;
  attempts: number;
}

/** A problem line (no event id, so a debug line) at most this often when it repeats. */
const REPEAT_LOG_MS = 60_000;

/**
 * Keeps the VIP where the node's role says: on this host while primary
 * (with the SIP service listening on it), absent while backup. Checks run
 * one at a time: every `checkInterval`, at once when the VIP's address
 * changes (the interface watcher's feed), and at once on a role change —
 * where the move is expected, so it only becomes a failure when it does not
 * work. A mismatch found otherwise logs 00-52029 and runs the matching
 * script; put right, 00-52030; still wrong after `attempts` runs, the
 * monitor fails and the node reports `unavailable`.
 */
export class VipTakeover {
  private readonly monitor: MonitorHandle;
  private ifname: string | null;
  private listening = false;
  private present: boolean | null = null;
  private episode: Episode | null = null;
  private lastScriptFailure: string | null = null;
  private announceDue = false;
  private queue: Promise<void> = Promise.resolve();
  private readonly announcing = new Set<Promise<void>>();
  private timer: TimerHandle | undefined;
  private active = false;
  private changedAt: number;
  private checkedAt: number | null = null;
  private lastProblem = '';
  private lastProblemAt = -Infinity;

  constructor(
    private readonly engine: PluginEngine,
    private readonly spec: VipTakeoverSpec,
  ) {
    this.ifname = spec.interface ?? null;
    this.changedAt = engine.clock.monotonic();
    this.monitor = engine.monitors.register('vip', { affectsService: true });
    spec.watcher.onChange(() => void this.enqueue('change'));
  }

  /** Starts watching and checks once (a backup removes a VIP left over from an earlier life at once). */
  async start(): Promise<void> {
    this.active = true;
    this.changedAt = this.engine.clock.monotonic();
    await this.spec.watcher.start();
    await this.resolveInterface();
    this.timer = this.engine.clock.setInterval(() => void this.enqueue('tick'), this.spec.checkInterval * 1000);
    await this.enqueue('start');
  }

  /**
   * Stops checking; a node that holds the VIP as primary gives it up (the
   * SIP service stops listening on it and the remove script runs), so a
   * stopped node never answers for the VIP.
   */
  async stop(): Promise<void> {
    if (!this.active) return;
    this.active = false;
    this.timer?.cancel();
    await this.queue;
    await Promise.all(this.announcing);
    await this.spec.watcher.stop();
    if (this.present && this.ifname !== null) {
      const result = await this.spec.scripts.run('remove', this.ifname, 'stopping');
      if (!result.ok) this.debug(`VIP remove script failed while stopping: ${escapePeerText(result.reason)}`);
    }
    await this.stopListening();
  }

  /** The role changed: move the VIP now (the engine waits for it, so the old primary gives it up as part of the change). */
  onRoleChange(from: Role, to: Role, reason: string): Promise<void> {
    this.engine.logger.info(`role ${from} -> ${to} (${escapePeerText(reason, 200)}): ${to === 'primary' ? 'taking' : 'giving up'} VIP ${this.spec.vip.cidr}`);
    if (to === 'primary') this.announceDue = true;
    return this.enqueue('role');
  }

  status(): VipStatus {
    const role = this.engine.node.role;
    const now = this.engine.clock.monotonic();
    return {
      vip: this.spec.vip.cidr,
      interface: this.ifname,
      role,
      expected: role === 'primary' ? 'present' : 'absent',
      present: this.present,
      listening: this.listening,
      ok: this.episode === null,
      problem: this.episode?.problem ?? null,
      reason: this.episode?.reason ?? null,
      attempts: this.episode?.attempts ?? 0,
      lastScriptFailure: this.lastScriptFailure,
      since: Math.round(now - this.changedAt) / 1000,
      lastCheck: this.checkedAt === null ? null : Math.round(now - this.checkedAt) / 1000,
    };
  }

  /** Runs one check after the ones already queued; never rejects. */
  private enqueue(trigger: Trigger): Promise<void> {
    const next = this.queue.then(() => (this.active ? this.check(trigger) : undefined)).catch((error: unknown) => {
      this.debug(`VIP check failed: ${escapePeerText(error instanceof Error ? error.message : String(error))}`);
    });
    this.queue = next;
    return next;
  }

  private async check(trigger: Trigger): Promise<void> {
    const role = this.engine.node.role;
    const before = await this.inspect(role);
    if (before === 'unknown') return;
    if (before === undefined) return this.settled(role);
    // A role change makes a mismatch on purpose: that is a move, a failure only if the move does not work.
    const expectedMove = trigger === 'role' && this.episode === null;
    if (!expectedMove) this.open(before, role);
    const action = await this.converge(role, before);
    const after = await this.inspect(role);
    if (after === undefined) return this.settled(role);
    if (after === 'unknown') return;
    if (expectedMove) this.open(after, role, action);
    const episode = this.episode!;
    episode.attempts++;
    episode.reason = after.reason;
    episode.problem = after.problem;
    if (episode.attempts >= this.spec.attempts) {
      const script = this.lastScriptFailure ? `; last failure: ${this.lastScriptFailure}` : '';
      // 00-52029 was logged when the problem was found; the monitor only carries the status.
      this.monitor.fail(`${after.reason} (still wrong after ${episode.attempts} attempt${episode.attempts === 1 ? '' : 's'}${script})`);
    }
  }

  /** Reads the interfaces now and says what is wrong for `role`; undefined when all is right, 'unknown' when they cannot be read. */
  private async inspect(role: Role): Promise<Verdict | 'unknown'> {
    await this.spec.watcher.check();
    this.checkedAt = this.engine.clock.monotonic();
    const state = this.spec.watcher.current();
    if (state.failure === 'unreadable') {
      this.present = null;
      this.debug(`VIP not checked: ${escapePeerText(state.reason ?? 'the interfaces cannot be read')}`);
      return 'unknown';
    }
    this.present = state.interface !== null && state.failure !== 'address-missing';
    const address = this.spec.vip.address;
    if (role !== 'primary') {
      if (this.listening) await this.stopListening();
      return this.present ? { problem: 'present-on-backup', reason: `VIP ${address} is on ${state.interface} of the backup; only the primary may hold it` } : undefined;
    }
    if (!this.present) {
      if (!(await this.resolveInterface())) {
        return { problem: 'no-interface', reason: `no interface to put VIP ${address} on: the SIP address ${this.spec.sipHost} is on no interface (set the interface option)` };
      }
      return { problem: 'missing', reason: `VIP ${address} is not on this host; the primary must hold it (on ${this.ifname})` };
    }
    if (!this.listening) return { problem: 'not-listening', reason: `the SIP service does not listen on VIP ${address}` };
    return undefined;
  }

  /** Does what `role` needs: add (then announce and listen) or remove; returns what it did, for the event. */
  private async converge(role: Role, wrong: NonNullable<Verdict>): Promise<string> {
    switch (wrong.problem) {
      case 'no-interface':
        return 'waiting for the interface';
      case 'present-on-backup': {
        const ifname = this.spec.watcher.current().interface ?? this.ifname;
        await this.stopListening();
        await this.runScript('remove', ifname!, role);
        return 'running the remove script';
      }
      case 'missing':
        if (await this.runScript('add', this.ifname!, role)) {
          await this.listen();
          // Announce at once: every millisecond before the clients' ARP caches move is part of the failover gap.
          if (role === 'primary' && this.spec.gratuitousArp) {
            this.announce(this.ifname!);
            this.announceDue = false;
          } else this.announceDue = true;
        }
        return 'running the add script';
      case 'not-listening':
        await this.listen();
        return 'asking the SIP service to listen on it';
    }
  }

  /** All is right: close a failure episode (00-52030), announce a VIP just taken. */
  private settled(role: Role): void {
    if (role === 'primary' && this.announceDue && this.spec.gratuitousArp && this.ifname !== null) this.announce(this.ifname);
    this.announceDue = false;
    const episode = this.episode;
    if (episode === null) return;
    this.episode = null;
    this.lastScriptFailure = null;
    const now = this.engine.clock.monotonic();
    this.changedAt = now;
    this.engine.events.emit(VipEvent.VipRestored, {
      vip: this.spec.vip.cidr,
      interface: this.ifname ?? 'unknown',
      role,
      state: role === 'primary' ? `on ${this.ifname}, SIP listening on it` : 'absent',
      attempts: episode.attempts,
      downFor: Math.round(now - episode.startedAt) / 1000,
    });
    this.monitor.ok();
  }

  /** Starts a failure episode (00-52029, once per episode). */
  private open(wrong: NonNullable<Verdict>, role: Role, action = this.actionFor(wrong.problem)): void {
    if (this.episode !== null) return;
    const now = this.engine.clock.monotonic();
    this.episode = { ...wrong, startedAt: now, attempts: 0 };
    this.changedAt = now;
    this.engine.events.emit(VipEvent.VipFailed, {
      vip: this.spec.vip.cidr,
      interface: this.ifname ?? 'unknown',
      role,
      problem: wrong.problem,
      reason: wrong.reason,
      action,
    });
  }

  private actionFor(problem: VipProblem): string {
    return { missing: 'running the add script', 'present-on-backup': 'running the remove script', 'not-listening': 'asking the SIP service to listen on it', 'no-interface': 'waiting for the interface' }[problem];
  }

  private async runScript(action: VipAction, ifname: string, role: Role): Promise<boolean> {
    const result = await this.spec.scripts.run(action, ifname, role);
    if (result.ok) return true;
    this.lastScriptFailure = `${action} script: ${escapePeerText(result.reason)}`;
    this.debug(`VIP ${this.lastScriptFailure}`);
    return false;
  }

  private async listen(): Promise<void> {
    try {
      await this.spec.sip.listenOn(this.spec.vip.address);
      this.listening = true;
    } catch (error) {
      this.lastScriptFailure = `listen: ${escapePeerText(error instanceof Error ? error.message : String(error))}`;
      this.debug(`SIP cannot listen on VIP ${this.spec.vip.address}: ${this.lastScriptFailure}`);
    }
  }

  private async stopListening(): Promise<void> {
    if (!this.listening) return;
    this.listening = false;
    try {
      await this.spec.sip.stopListening(this.spec.vip.address);
    } catch (error) {
      this.debug(`SIP stopListening(${this.spec.vip.address}) failed: ${escapePeerText(error instanceof Error ? error.message : String(error))}`);
    }
  }

  /** Gratuitous ARP, not waited for: the VIP already works for anyone whose ARP cache is fresh. */
  private announce(ifname: string): void {
    const run = this.spec.scripts.run('announce', ifname, 'primary').then((result) => {
      if (!result.ok) this.debug(`gratuitous ARP for VIP ${this.spec.vip.address} failed: ${escapePeerText(result.reason)}`);
    });
    this.announcing.add(run);
    void run.finally(() => this.announcing.delete(run));
  }

  /** The interface carrying the SIP address, read now when not configured. */
  private async resolveInterface(): Promise<boolean> {
    if (this.ifname !== null) return true;
    try {
      const found = judgeAddress(this.spec.sipHost, await this.spec.source.read()).interface;
      if (found !== null) this.ifname = found;
    } catch (error) {
      this.debug(`cannot read the interfaces to find the one of ${this.spec.sipHost}: ${escapePeerText(error instanceof Error ? error.message : String(error))}`);
    }
    return this.ifname !== null;
  }

  private debug(message: string): void {
    const now = this.engine.clock.monotonic();
    if (message === this.lastProblem && now - this.lastProblemAt < REPEAT_LOG_MS) return;
    this.lastProblem = message;
    this.lastProblemAt = now;
    this.engine.logger.warn(message);
  }
}
