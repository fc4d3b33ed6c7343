import type { MonitorHandle, PluginEngine } from '@switchyard/sdk';
import { DiskSpaceEvent } from './events';

/** Free bytes available to this process on the file system holding a folder (`fs.promises.statfs` by default). */
export type FreeSpaceReader = (folder: string) => Promise<number>;

export interface DiskMonitorOptions {
  path: string;
  minFreeMb: number;
  /** Seconds between two reads. */
  interval: number;
}

type Reading = { state: 'ok' | 'low'; freeMb: number } | { state: 'unreadable'; error: string };

/**
 * Reads the free space of one folder every `interval` seconds; below
 * `minFreeMb` (or unreadable) its monitor fails and the node reports
 * unavailable, so the arbiter moves the primary role to the peer. Each
 * transition logs one event; a reading equal to the last logs nothing.
 */
export class DiskMonitor {
  private last: Reading['state'] | undefined;
  private freeMb: number | null = null;

  constructor(
    private readonly engine: PluginEngine<DiskMonitorOptions>,
    private readonly monitor: MonitorHandle,
    private readonly read: FreeSpaceReader,
  ) {}

  /** The section this plugin adds to the node in `switchyard status --json`. */
  report(): { path: string; freeMb: number | null; minFreeMb: number; state: string } {
    const { path, minFreeMb } = this.engine.options;
    return { path, freeMb: this.freeMb, minFreeMb, state: this.last ?? 'unknown' };
  }

  async check(): Promise<void> {
    const { path, minFreeMb } = this.engine.options;
    const reading = await this.measure(path);
    if (reading.state === this.last) return;
    const before = this.last;
    this.last = reading.state;
    if (reading.state === 'unreadable') {
      // fail() changes the node's health; the event is logged here, once, at the transition.
      this.monitor.fail(`cannot read ${path}`);
      this.engine.events.emit(DiskSpaceEvent.UNREADABLE, { path, error: reading.error });
    } else if (reading.state === 'low') {
      this.monitor.fail(`${reading.freeMb} MB free on ${path}, minimum ${minFreeMb} MB`);
      this.engine.events.emit(DiskSpaceEvent.LOW, { path, freeMb: reading.freeMb, minFreeMb });
    } else {
      this.monitor.ok();
      // The first reading being fine is no news; coming back from low or unreadable is.
      if (before !== undefined) this.engine.events.emit(DiskSpaceEvent.RECOVERED, { path, freeMb: reading.freeMb, minFreeMb });
    }
  }

  private async measure(path: string): Promise<Reading> {
    try {
      const freeMb = Math.floor((await this.read(path)) / (1024 * 1024));
      this.freeMb = freeMb;
      return { state: freeMb < this.engine.options.minFreeMb ? 'low' : 'ok', freeMb };
    } catch (error) {
      this.freeMb = null;
      return { state: 'unreadable', error: error instanceof Error ? error.message : String(error) };
    }
  }
}
