import fs from 'node:fs/promises';
import path from 'node:path';
import { defineAlarmReaction, type Alarm } from '@switchyard/sdk';
import { z } from 'zod';
import { DiskSpaceEvent } from './events';

/**
 * Alarm reaction kind `alarm-file`: appends one JSON line per alarm raised
 * or cleared to a file (for a log shipper, or an operator's `tail -f`).
 */
export const alarmFileReaction = defineAlarmReaction({
  description: 'appends a JSON line to a file for every alarm raised or cleared',
  options: z.strictObject({
    /** The file to append to: absolute, or relative to the folder `switchyard up` runs in. Its folder is created. */
    file: z.string().min(1),
  }),
  create(options, ctx) {
    const append = async (change: 'raised' | 'cleared', alarm: Alarm) => {
      const line = `${JSON.stringify({ change, at: new Date(ctx.clock.now()).toISOString(), reaction: ctx.name, alarm })}\n`;
      try {
        await fs.mkdir(path.dirname(path.resolve(options.file)), { recursive: true });
        await fs.appendFile(options.file, line, { mode: 0o640 });
      } catch (error) {
        ctx.emit(DiskSpaceEvent.ALARM_FILE_FAILED, { reaction: ctx.name, file: options.file, error: error instanceof Error ? error.message : String(error) });
        throw error;
      }
    };
    return {
      raised: (alarm) => append('raised', alarm),
      cleared: (alarm) => append('cleared', alarm),
    };
  },
});
