import type { Clock, TimerHandle } from '../clock';
import type { AlarmConditionConfig } from '../config/schema';
import { SwitchyardError, describeError } from '../errors';
import type { LogEventRecord } from '../events/catalogue';
import { CoreEvent, alarmRaisedEvent } from '../events/core-events';
import type { Alarm, AlarmClearReason, AlarmSeverity } from '../engine/types';
import { silentLogger, type Logger } from '../logging/logger';
import type { AlarmStore, AlarmState, StoredAlarm } from './alarm-store';
import type { AlarmReaction } from './reaction';
import { ReactionRunner, type ReactionJob } from './reaction-runner';

/** A configured reaction, created from its kind. */
export interface ConfiguredReaction {
  kind: string;
  instance: AlarmReaction;
}

export interface AlarmEngineOptions {
  conditions: readonly AlarmConditionConfig[];
  /** Reactions by name (`alarms.reactions`). */
  reactions: ReadonlyMap<string, ConfiguredReaction>;
  clock: Clock;
  /** Emits a core log event (the supervisor's sink). */
  emit(eventId: string, fields: Record<string, unknown>): void;
  /** Seconds each reaction may run. Default 10. */
  reactionTimeout?: number;
  /** Cleared alarms kept. Default 200. */
  historySize?: number;
  /** Persistence; without it, alarms live in memory only. */
  store?: AlarmStore;
  /** Calls the `alarmRaised` / `alarmCleared` hooks (the supervisor's engine). */
  notify?(change: 'raised' | 'cleared', alarm: Alarm): Promise<void>;
  logger?: Logger;
}

/** Active alarms and the recently cleared ones, as `GET /alarms` answers. */
export interface AlarmList {
  active: Alarm[];
  /** The most recently cleared first. */
  cleared: Alarm[];
}

type Change = 'raised' | 'cleared';

const SEVERITY_RANK: Record<AlarmSeverity, number> = { critical: 0, major: 1, minor: 2, info: 3 };

/** Records that arrive before the saved state is loaded are kept, up to this many. */
const MAX_EARLY_RECORDS = 1000;

/**
 * The alarm engine of the supervisor: it reads every log event of both nodes
 * and of the supervisor, and keeps one alarm per condition and node.
 *
 * - A `detect` event raises the alarm `<condition>@<node>`; its reactions run
 *   once. A repeat while active only counts (count, lastSeen).
 * - A `cancel` event from the same node clears it; so does `clearAfter`
 *   seconds after the LAST detection, and an operator. The condition's
 *   `clearanceReactions` run then.
 * - Reactions of one change run in parallel, each under `reactionTimeout`;
 *   the clearance of an alarm waits for its raise reactions, so a receiver
 *   sees `raised` before `cleared`. Nothing here waits for a reaction.
 * - Every change is saved (`AlarmStore`). A restarted engine lists the saved
 *   alarms again, re-arms `clearAfter` from lastSeen, and runs only the
 *   reactions that had not finished (none, after a clean stop).
 */
export class AlarmEngine {
  private readonly byDetect = new Map<string, AlarmConditionConfig[]>();
  private readonly byCancel = new Map<string, AlarmConditionConfig[]>();
  private readonly conditions = new Map<string, AlarmConditionConfig>();
  private readonly active = new Map<string, StoredAlarm>();
  private history: StoredAlarm[] = [];
  private readonly timers = new Map<string, TimerHandle>();
  private readonly chains = new Map<string, Promise<void>>();
  private readonly runner: ReactionRunner;
  private readonly stopController = new AbortController();
  private readonly logger: Logger;
  private readonly queue: LogEventRecord[] = [];
  private phase: 'new' | 'loaded' | 'resumed' | 'paused' | 'stopped' = 'new';
  private consuming = false;
  private saving: Promise<void> = Promise.resolve();

  constructor(private readonly options: AlarmEngineOptions) {
    for (const condition of options.conditions) {
      this.conditions.set(condition.id, condition);
      for (const id of condition.detect) push(this.byDetect, id, condition);
      for (const id of condition.cancel) push(this.byCancel, id, condition);
    }
    this.logger = (options.logger ?? silentLogger).child({ part: 'alarms' });
    this.runner = new ReactionRunner({ clock: options.clock, timeout: options.reactionTimeout ?? 10, emit: options.emit });
  }

  /** Restores the saved alarms; then processes the events that came meanwhile. Reactions wait for {@link resume}. */
  async load(): Promise<void> {
    if (this.phase !== 'new') return;
    const store = this.options.store;
    if (store) {
      const loaded = await store.load();
      if (loaded.problem) this.options.emit(CoreEvent.AlarmStoreFailed, { file: store.file, error: loaded.problem.message });
      if (loaded.state) {
        for (const stored of loaded.state.active) this.active.set(stored.alarm.id, stored);
        this.history = loaded.state.cleared.slice(0, this.historySize);
        this.options.emit(CoreEvent.AlarmsRestored, { file: store.file, active: this.active.size, cleared: this.history.length });
      }
    }
    this.phase = 'loaded';
    this.drain();
  }

  /**
   * Re-arms `clearAfter` of restored alarms (an expired one clears now) and
   * runs the reactions a previous supervisor did not finish.
   */
  resume(): void {
    if (this.phase !== 'loaded') return;
    this.phase = 'resumed';
    for (const stored of [...this.history].reverse()) {
      if (!stored.notified.raised) this.react('raised', stored);
      if (!stored.notified.cleared) this.react('cleared', stored);
    }
    for (const stored of [...this.active.values()]) {
      if (!stored.notified.raised) this.react('raised', stored);
      this.armClearAfter(stored);
    }
  }

  /** Takes one log event (of a node or of the supervisor). Never throws; events it emits itself are queued. */
  consume(record: LogEventRecord): void {
    if (this.phase === 'paused' || this.phase === 'stopped') return;
    if (this.phase === 'new') {
      if (this.queue.length < MAX_EARLY_RECORDS) this.queue.push(record);
      return;
    }
    this.queue.push(record);
    this.drain();
  }

  /** Clears an active alarm for an operator. Throws SWY_ERR_ALARM_NOT_FOUND for an id that is not active. */
  clear(id: string, by: string): Alarm {
    const stored = this.active.get(id);
    if (!stored) {
      const active = [...this.active.keys()];
      throw new SwitchyardError(
        'SWY_ERR_ALARM_NOT_FOUND',
        `No active alarm "${id}"; ${active.length === 0 ? 'no alarm is active' : `active: ${active.join(', ')}`}.`,
        { details: { id } },
      );
    }
    this.clearStored(stored, 'operator', by);
    return snapshot(stored.alarm);
  }

  list(): AlarmList {
    const active = [...this.active.values()]
      .map((s) => snapshot(s.alarm))
      .sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || a.firstSeen - b.firstSeen || a.id.localeCompare(b.id));
    return { active, cleared: this.history.map((s) => snapshot(s.alarm)) };
  }

  /** Stops raising and clearing (the supervisor is stopping: its own shutdown events are no condition). */
  pause(): void {
    if (this.phase !== 'stopped') this.phase = 'paused';
  }

  /**
   * Stops: timers cancelled, running reactions given up to `reactionTimeout`
   * to finish (then aborted, and left to run again at the next start), the
   * state saved.
   */
  async stop(): Promise<void> {
    if (this.phase === 'stopped') return;
    this.phase = 'stopped';
    for (const timer of this.timers.values()) timer.cancel();
    this.timers.clear();
    const pending = Promise.all([...this.chains.values()]).then(() => undefined);
    let grace: TimerHandle | undefined;
    await Promise.race([pending, new Promise<void>((resolve) => (grace = this.options.clock.setTimeout(resolve, (this.options.reactionTimeout ?? 10) * 1000)))]);
    grace?.cancel();
    this.stopController.abort(new SwitchyardError('SWY_ERR_ALARM_REACTION_FAILED', 'the supervisor stopped before the reaction finished'));
    await pending;
    await this.persist();
  }

  /** Writes the current state now; resolves once it is on disk (or the failure was logged). */
  flush(): Promise<void> {
    return this.persist();
  }

  /** Resolves once every running reaction has settled and the state is saved (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
    await this.saving;
  }

  // internals --------------------------------------------------------------

  private get historySize(): number {
    return this.options.historySize ?? 200;
  }

  private drain(): void {
    if (this.consuming) return;
    this.consuming = true;
    try {
      for (let record = this.queue.shift(); record !== undefined; record = this.queue.shift()) {
        if (this.phase !== 'loaded' && this.phase !== 'resumed') break;
        try {
          this.handle(record);
        } catch (error) {
          this.logger.error(`alarm engine failed on event ${record.id}: ${describeError(error)}`);
        }
      }
    } finally {
      this.consuming = false;
    }
  }

  private handle(record: LogEventRecord): void {
    for (const condition of this.byCancel.get(record.id) ?? []) {
      if (!appliesTo(condition, record.node)) continue;
      const stored = this.active.get(alarmId(condition.id, record.node));
      if (stored) this.clearStored(stored, 'cancel', record.id);
    }
    for (const condition of this.byDetect.get(record.id) ?? []) {
      if (appliesTo(condition, record.node)) this.detect(condition, record);
    }
  }

  private detect(condition: AlarmConditionConfig, record: LogEventRecord): void {
    const id = alarmId(condition.id, record.node);
    const existing = this.active.get(id);
    if (existing) {
      // A repeat: counted, not reported again.
      existing.alarm.count += 1;
      existing.alarm.lastSeen = Math.max(existing.alarm.lastSeen, record.time);
      this.logger.debug(`alarm ${id} detected again (${existing.alarm.count})`, { alarm: id, eventId: record.id });
      this.armClearAfter(existing);
      void this.persist();
      return;
    }
    const stored: StoredAlarm = {
      alarm: {
        id,
        condition: condition.id,
        node: record.node,
        severity: condition.severity,
        state: 'active',
        eventId: record.id,
        message: record.message,
        count: 1,
        firstSeen: record.time,
        lastSeen: record.time,
      },
      notified: { raised: false, cleared: false },
    };
    this.active.set(id, stored);
    this.options.emit(alarmRaisedEvent(condition.severity), {
      alarm: id,
      condition: condition.id,
      severity: condition.severity,
      event: record.id,
      node: record.node,
      text: record.message,
    });
    this.armClearAfter(stored);
    void this.persist();
    this.react('raised', stored);
  }

  private clearStored(stored: StoredAlarm, reason: AlarmClearReason, by: string): void {
    const { alarm } = stored;
    if (this.active.get(alarm.id) !== stored) return;
    this.active.delete(alarm.id);
    this.timers.get(alarm.id)?.cancel();
    this.timers.delete(alarm.id);
    alarm.state = 'cleared';
    alarm.clearedAt = this.options.clock.now();
    alarm.clearReason = reason;
    alarm.clearedBy = by;
    this.history.unshift(stored);
    if (this.history.length > this.historySize) this.history.length = this.historySize;
    this.options.emit(CoreEvent.AlarmCleared, { alarm: alarm.id, node: alarm.node, reason, by, count: alarm.count });
    void this.persist();
    this.react('cleared', stored);
  }

  /** Clears the alarm `clearAfter` seconds after its latest detection. */
  private armClearAfter(stored: StoredAlarm): void {
    const clearAfter = this.conditions.get(stored.alarm.condition)?.clearAfter;
    if (clearAfter === undefined || this.phase === 'stopped') return;
    const id = stored.alarm.id;
    this.timers.get(id)?.cancel();
    const delay = Math.max(0, stored.alarm.lastSeen + clearAfter * 1000 - this.options.clock.now());
    this.timers.set(
      id,
      this.options.clock.setTimeout(() => {
        this.timers.delete(id);
        if (this.phase === 'loaded' || this.phase === 'resumed') this.clearStored(stored, 'clearAfter', 'clearAfter');
      }, delay),
    );
  }

  /** Runs the change's reactions after the alarm's earlier ones, then marks them done and saves. */
  private react(change: Change, stored: StoredAlarm): void {
    const id = stored.alarm.id;
    const alarm = snapshot(stored.alarm);
    const previous = this.chains.get(id) ?? Promise.resolve();
    const next = previous
      .then(() => this.runner.run(this.jobs(change, alarm), alarm, change, this.stopController.signal))
      .then((finished) => {
        // Cut short by a stop: left unmarked, so the next start runs them again.
        if (!finished) return;
        stored.notified[change] = true;
        return this.persist();
      })
      .catch((error: unknown) => this.logger.error(`alarm ${id} ${change} reactions: ${describeError(error)}`))
      .finally(() => {
        if (this.chains.get(id) === next) this.chains.delete(id);
      });
    this.chains.set(id, next);
  }

  /** The hook and the condition's reactions for this change, each given the same frozen alarm. */
  private jobs(change: Change, alarm: Alarm): ReactionJob[] {
    const condition = this.conditions.get(alarm.condition);
    const names = condition ? (change === 'raised' ? condition.reactions : condition.clearanceReactions) : [];
    const jobs: ReactionJob[] = [];
    const notify = this.options.notify;
    if (notify) {
      const hook = change === 'raised' ? 'alarmRaised' : 'alarmCleared';
      jobs.push({ name: hook, kind: 'hook', quiet: true, run: () => notify(change, alarm) });
    }
    for (const name of names) {
      const reaction = this.options.reactions.get(name);
      const method = change === 'raised' ? reaction?.instance.raised : reaction?.instance.cleared;
      if (!reaction || !method) {
        this.logger.debug(`reaction ${name} has nothing to do when an alarm is ${change}`);
        continue;
      }
      jobs.push({ name, kind: reaction.kind, run: (signal) => method.call(reaction.instance, alarm, signal) });
    }
    return jobs;
  }

  private persist(): Promise<void> {
    const store = this.options.store;
    if (!store) return Promise.resolve();
    const run = store.save(() => this.state()).catch((error: unknown) => {
      this.options.emit(CoreEvent.AlarmStoreFailed, { file: store.file, error: describeError(error) });
    });
    this.saving = run;
    return run;
  }

  private state(): AlarmState {
    const copy = (s: StoredAlarm): StoredAlarm => ({ alarm: { ...s.alarm }, notified: { ...s.notified } });
    return { active: [...this.active.values()].map(copy), cleared: this.history.map(copy) };
  }
}

export function alarmId(condition: string, node: string): string {
  return `${condition}@${node}`;
}

function appliesTo(condition: AlarmConditionConfig, node: string): boolean {
  return condition.nodes === undefined || condition.nodes.includes(node);
}

function snapshot(alarm: Alarm): Alarm {
  return Object.freeze({ ...alarm });
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
