import fs from 'node:fs/promises';
import { definePlugin, HookStage, type TimerHandle } from '@switchyard/sdk';
import { z } from 'zod';
import { alarmFileReaction } from './alarm-file';
import { DiskMonitor, type FreeSpaceReader } from './disk-monitor';
import { DISK_SPACE_EVENTS } from './events';

export { DiskSpaceEvent, DISK_SPACE_EVENTS } from './events';
export { alarmFileReaction } from './alarm-file';
export type { FreeSpaceReader } from './disk-monitor';

const PLUGIN = 'disk-space';

/** Options under `plugins['@acme/switchyard-disk-space']`. Durations are in seconds, as everywhere in a config. */
export const diskSpaceOptions = z.strictObject({
  /** The folder whose file system is watched (absolute, or relative to the folder `switchyard up` runs in). */
  path: z.string().min(1),
  /** Free space below this many megabytes makes the node unavailable. */
  minFreeMb: z.number().int().min(1),
  /** Seconds between two reads. */
  interval: z.number().int().min(1).max(3600).default(10),
});

/** Free bytes available to unprivileged users, as `df` shows them. */
const statfsReader: FreeSpaceReader = async (folder) => {
  const stats = await fs.statfs(folder);
  return stats.bavail * stats.bsize;
};

/**
 * The plugin, with the way free space is read made replaceable (tests give
 * their own reader). The package's default export uses `fs.statfs`.
 */
export function diskSpacePlugin(read: FreeSpaceReader = statfsReader) {
  return definePlugin({
    name: PLUGIN,
    version: '0.1.0',
    options: diskSpaceOptions,
    events: DISK_SPACE_EVENTS,
    alarmReactions: { 'alarm-file': alarmFileReaction },
    apply(engine) {
      const monitor = new DiskMonitor(engine, engine.monitors.register('disk-space'), read);
      let timer: TimerHandle | undefined;
      engine.hooks.start.tapPromise({ name: PLUGIN, stage: HookStage.NORMAL }, async () => {
        // The first reading is part of the start, so the node never runs one interval on a full disk.
        await monitor.check();
        // The clock counts milliseconds; options are in seconds.
        timer = engine.clock.setInterval(() => void monitor.check(), engine.options.interval * 1000);
      });
      engine.hooks.stop.tapPromise(PLUGIN, async () => timer?.cancel());
      engine.hooks.statusReport.tap(PLUGIN, (report) => ({ ...report, diskSpace: monitor.report() }));
    },
  });
}

export default diskSpacePlugin();
