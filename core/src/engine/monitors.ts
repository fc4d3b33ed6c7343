import type { Clock } from '../clock';
import type { HealthSignal } from './types';

export interface MonitorOptions {
  /** When false the monitor is informational: its failure does not make the node unavailable. Default true. */
  affectsService?: boolean;
}

/** What a plugin holds to report one monitor's health. */
/** The plugin's own event a failing monitor logs: its id (declared in the plugin's `events`) and extra fields. */
export type MonitorFailureEvent = string | { id: string; fields?: Record<string, unknown> };

export interface MonitorHandle {
  readonly name: string;
  ok(): void;
  /**
   * Reports the monitor failed with `reason`. With `event`, that event is
   * logged (fields `monitor`, `reason` and its own) when the monitor goes
   * from ok to failed — once per failure, not again while it stays failed —
   * followed by core's 01-10032; an alarm condition on it fires.
   */
  fail(reason: string, event?: MonitorFailureEvent): void;
  /** The last signal reported. */
  current(): HealthSignal;
}

/** All monitors of one node. Changes are reported to one listener (the engine). */
export class MonitorRegistry {
  private readonly signals = new Map<string, HealthSignal>();

  constructor(
    private readonly clock: Clock,
    /** `eventFields`: the extra fields of the failure event, when the plugin gave one. */
    private readonly onChange: (signal: HealthSignal, previous: HealthSignal, eventFields?: Record<string, unknown>) => void,
    /** Throws (SWY_ERR_EVENT_UNKNOWN) for an event id the catalogue does not have, before anything changes. */
    private readonly checkEvent: (id: string) => void = () => undefined,
  ) {}

  register(plugin: string, name: string, options: MonitorOptions = {}): MonitorHandle {
    const key = `${plugin}/${name}`;
    if (this.signals.has(key)) throw new TypeError(`Monitor ${key} is already registered`);
    const initial: HealthSignal = {
      monitor: key,
      plugin,
      ok: true,
      affectsService: options.affectsService ?? true,
      since: this.clock.now(),
    };
    this.signals.set(key, initial);
    const report = (ok: boolean, reason?: string, event?: MonitorFailureEvent): void => {
      const previous = this.signals.get(key) ?? initial;
      if (previous.ok === ok && previous.reason === reason) return;
      const eventId = typeof event === 'string' ? event : event?.id;
      if (eventId !== undefined) this.checkEvent(eventId);
      const next: HealthSignal = { ...previous, ok, reason, eventId, since: this.clock.now() };
      this.signals.set(key, next);
      this.onChange(next, previous, typeof event === 'object' ? event.fields : undefined);
    };
    return {
      name: key,
      ok: () => report(true),
      fail: (reason, event) => report(false, reason, event),
      current: () => this.signals.get(key) ?? initial,
    };
  }

  list(): HealthSignal[] {
    return [...this.signals.values()];
  }
}
