import type { Clock } from '../clock';
import type { HealthSignal } from './types';

export interface MonitorOptions {
  /** When false the monitor is informational: its failure does not make the node unavailable. Default true. */
  affectsService?: boolean;
}

/** What a plugin holds to report one monitor's health. */
export interface MonitorHandle {
  readonly name: string;
  ok(): void;
  fail(reason: string, eventId?: string): void;
  /** The last signal reported. */
  current(): HealthSignal;
}

/** All monitors of one node. Changes are reported to one listener (the engine). */
export class MonitorRegistry {
  private readonly signals = new Map<string, HealthSignal>();

  constructor(
    private readonly clock: Clock,
    private readonly onChange: (signal: HealthSignal, previous: HealthSignal) => void,
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
    const report = (ok: boolean, reason?: string, eventId?: string): void => {
      const previous = this.signals.get(key) ?? initial;
      if (previous.ok === ok && previous.reason === reason) return;
      const next: HealthSignal = { ...previous, ok, reason, eventId, since: this.clock.now() };
      this.signals.set(key, next);
      this.onChange(next, previous);
    };
    return {
      name: key,
      ok: () => report(true),
      fail: (reason, eventId) => report(false, reason, eventId),
      current: () => this.signals.get(key) ?? initial,
    };
  }

  list(): HealthSignal[] {
    return [...this.signals.values()];
  }
}
