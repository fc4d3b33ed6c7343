import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AlarmEngine, type AlarmEngineOptions, type ConfiguredReaction } from '../src/alarms/alarm-engine';
import { AlarmStore } from '../src/alarms/alarm-store';
import type { AlarmReaction } from '../src/alarms/reaction';
import { ManualClock } from '../src/clock';
import { alarmConditionSchema, type AlarmConditionConfig } from '../src/config/schema';
import type { Alarm } from '../src/engine/types';
import type { LogEventRecord } from '../src/events/catalogue';

/** A condition with the schema's defaults filled in. */
export function condition(input: Record<string, unknown>): AlarmConditionConfig {
  return alarmConditionSchema.parse({ severity: 'critical', ...input });
}

/** What a fake reaction saw: the change, the alarm and whether its signal was aborted in the end. */
export interface ReactionCall {
  reaction: string;
  change: 'raised' | 'cleared';
  alarm: Alarm;
  signal: AbortSignal;
}

/**
 * A reaction that records its calls and behaves as `behaviour` says:
 * resolve (default), throw, or hang until aborted or forever.
 */
export function fakeReaction(
  name: string,
  calls: ReactionCall[],
  behaviour: 'ok' | 'fail' | 'hang' | 'ignore-abort' = 'ok',
): ConfiguredReaction {
  const act = (change: 'raised' | 'cleared') => async (alarm: Alarm, signal: AbortSignal) => {
    calls.push({ reaction: name, change, alarm, signal });
    if (behaviour === 'fail') throw new Error(`${name} is broken`);
    if (behaviour === 'hang') await new Promise<void>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    if (behaviour === 'ignore-abort') await new Promise<void>(() => undefined);
  };
  const instance: AlarmReaction = { raised: act('raised'), cleared: act('cleared') };
  return { kind: `fake-${behaviour}`, instance };
}

export interface EmittedEvent {
  id: string;
  fields: Record<string, unknown>;
}

export interface Harness {
  engine: AlarmEngine;
  clock: ManualClock;
  events: EmittedEvent[];
  calls: ReactionCall[];
  hooks: { change: 'raised' | 'cleared'; alarm: Alarm }[];
  store: AlarmStore;
  dir: string;
  /** Feeds a log event from `node`, timed now. */
  event(id: string, node: string, message?: string): void;
  /** Ids of the events the engine emitted, in order. */
  eventIds(): string[];
  advance(seconds: number): Promise<void>;
}

/** Temp folders {@link harness} made, and its engines: the test file calls {@link removeHarnessDirs} in `afterAll`. */
const madeDirs: string[] = [];
const engines: AlarmEngine[] = [];

/** Pauses every harness engine and waits for its last write (a later one would make the folder again), then removes the folders. */
export async function removeHarnessDirs(): Promise<void> {
  for (const engine of engines.splice(0)) {
    engine.pause();
    await engine.flush().catch(() => undefined);
  }
  for (const dir of madeDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** An alarm engine in virtual time, persisting to a temp folder (or `dir`), loaded and resumed. */
export async function harness(
  conditions: AlarmConditionConfig[],
  reactions: Record<string, 'ok' | 'fail' | 'hang' | 'ignore-abort'> = {},
  extra: Partial<AlarmEngineOptions> & { dir?: string; clock?: ManualClock; calls?: ReactionCall[] } = {},
): Promise<Harness> {
  const clock = extra.clock ?? new ManualClock();
  let dir = extra.dir;
  if (dir === undefined) {
    dir = mkdtempSync(path.join(os.tmpdir(), 'swy-alarms-'));
    madeDirs.push(dir);
  }
  const events: EmittedEvent[] = [];
  const calls = extra.calls ?? [];
  const hooks: Harness['hooks'] = [];
  const store = new AlarmStore(dir);
  const configured = new Map(Object.entries(reactions).map(([name, behaviour]) => [name, fakeReaction(name, calls, behaviour)]));
  const engine: AlarmEngine = new AlarmEngine({
    conditions,
    reactions: configured,
    clock,
    store,
    reactionTimeout: 10,
    notify: async (change, alarm) => void hooks.push({ change, alarm }),
    ...extra,
    emit: (id, fields) => {
      events.push({ id, fields });
      // The supervisor feeds the engine's own events back to it.
      engine.consume(record(id, typeof fields.node === 'string' ? fields.node : 'supervisor', id, clock.now()));
    },
  });
  engines.push(engine);
  await engine.load();
  engine.resume();
  return {
    engine,
    clock,
    events,
    calls,
    hooks,
    store,
    dir,
    event: (id, node, message = `event ${id} on ${node}`) => engine.consume(record(id, node, message, clock.now())),
    eventIds: () => events.map((e) => e.id),
    advance: (seconds) => clock.advance(seconds * 1000),
  };
}

export function record(id: string, node: string, message: string, time: number): LogEventRecord {
  return { id, level: 'error', message, fields: {}, node, term: 1, time, owner: 'test' };
}
