import fs from 'node:fs';
import path from 'node:path';
import { definePlugin, HookStage, type TimerHandle } from '@switchyard/sdk';
import { z } from 'zod';
import { EVENTS, HealthFileEvent } from './events';

export { EVENTS, HealthFileEvent } from './events';

/** Options under `plugins['__PACKAGE__']`. Durations are in seconds, as everywhere in a config. */
export const options = z.strictObject({
  /**
   * The health file each node reads; `{node}` stands for the node's id. Absolute, or relative to the
   * folder `switchyard up` runs in. Missing or `up`: healthy. Anything else (`down`, `maintenance`…):
   * the node reports unavailable, and the pair switches over if it was the primary.
   */
  file: z.string().min(1).default('health-{node}.txt'),
  /** Seconds between two reads. */
  interval: z.number().positive().max(3600).default(1),
});

/**
 * What the file says, trimmed; `up` when there is no file. A synchronous read: the file is a few
 * bytes on a local disk, and the verdict is known when the timer's callback returns, which keeps
 * tests in virtual time exact.
 */
function readHealth(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'up';
    return `unreadable (${(error as Error).message})`;
  }
}

/**
 * __DESCRIPTION__
 *
 * A monitor: every `interval` seconds it reads a health file; while the file
 * says anything but `up`, the monitor fails and the node reports
 * unavailable. Each change logs one event.
 */
export default definePlugin({
  name: '__PLUGIN__',
  version: '0.1.0',
  options,
  events: EVENTS,
  apply(engine) {
    const file = path.resolve(engine.options.file.replaceAll('{node}', engine.nodeId));
    const monitor = engine.monitors.register('health-file');
    let content = 'up';
    let timer: TimerHandle | undefined;

    const check = () => {
      const now = readHealth(file);
      const wasUp = content === 'up';
      content = now;
      if (now === 'up' && !wasUp) {
        monitor.ok();
        engine.events.emit(HealthFileEvent.UP, { file });
      } else if (now !== 'up' && wasUp) {
        // fail() changes the node's health; the event is logged here, once, at the transition.
        monitor.fail(`${file} says "${now}"`);
        engine.events.emit(HealthFileEvent.DOWN, { file, content: now });
      }
    };

    // Open timers in `start`, never in `apply` (every plugin is applied and checked before anything starts).
    engine.hooks.start.tapPromise({ name: '__PLUGIN__', stage: HookStage.NORMAL }, async () => {
      check();
      // The clock counts milliseconds; options are in seconds.
      timer = engine.clock.setInterval(check, engine.options.interval * 1000);
    });
    engine.hooks.stop.tapPromise('__PLUGIN__', async () => timer?.cancel());
    // `switchyard status --json` shows this section on each node.
    engine.hooks.statusReport.tap('__PLUGIN__', (report) => ({ ...report, healthFile: { file, content } }));
  },
});
