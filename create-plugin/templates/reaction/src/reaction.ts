import fs from 'node:fs/promises';
import path from 'node:path';
import { defineAlarmReaction, type Alarm } from '@switchyard/sdk';
import { z } from 'zod';
import { ReactionEvent } from './events';

/**
 * The reaction kind `__PLUGIN__`: one JSON line per alarm raised or cleared,
 * appended to a file. Reactions run in the supervisor process (whatever the
 * plugin's scope), each under `alarms.reactionTimeout`; throw to report a
 * failure (the alarm engine logs it and carries on).
 */
export const reactionKind = defineAlarmReaction({
  description: 'appends a JSON line to a file for every alarm raised or cleared',
  options: z.strictObject({
    /** File to append to: absolute, or relative to the folder `switchyard up` runs in. Its folder is created. */
    file: z.string().min(1),
  }),
  create(options, ctx) {
    const append = async (change: 'raised' | 'cleared', alarm: Alarm) => {
      const line = `${JSON.stringify({ change, at: new Date(ctx.clock.now()).toISOString(), reaction: ctx.name, alarm })}\n`;
      try {
        await fs.mkdir(path.dirname(path.resolve(options.file)), { recursive: true });
        await fs.appendFile(options.file, line);
      } catch (error) {
        ctx.emit(ReactionEvent.WRITE_FAILED, { reaction: ctx.name, file: options.file, error: (error as Error).message });
        throw error;
      }
    };
    return {
      raised: (alarm) => append('raised', alarm),
      cleared: (alarm) => append('cleared', alarm),
    };
  },
});
