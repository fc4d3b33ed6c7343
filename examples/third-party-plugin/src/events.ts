import type { LogEventDefinition } from '@switchyard/sdk';

/**
 * This plugin's log events. Third parties choose their own prefix (core owns
 * 01-xxxxx, first-party SIP plugins 00-xxxxx); this example uses 80-.
 * Alarm conditions may name any of them in `detect` / `cancel`.
 */
export const DiskSpaceEvent = {
  /** Free space fell below the minimum: the node reports unavailable. */
  LOW: '80-00001',
  /** Free space is back above the minimum. */
  RECOVERED: '80-00002',
  /** The folder's file system cannot be read (missing folder, permissions): the node reports unavailable. */
  UNREADABLE: '80-00003',
  /** The alarm-file reaction could not write its file. */
  ALARM_FILE_FAILED: '80-00010',
} as const;

export const DISK_SPACE_EVENTS: readonly LogEventDefinition[] = [
  { id: DiskSpaceEvent.LOW, level: 'warn', message: 'Free space on {path} is {freeMb} MB, below the minimum of {minFreeMb} MB: this node reports unavailable' },
  { id: DiskSpaceEvent.RECOVERED, level: 'info', message: 'Free space on {path} is back to {freeMb} MB (minimum {minFreeMb} MB)' },
  { id: DiskSpaceEvent.UNREADABLE, level: 'error', message: 'Cannot read the free space of {path}: {error}; this node reports unavailable' },
  { id: DiskSpaceEvent.ALARM_FILE_FAILED, level: 'error', message: 'Alarm reaction {reaction} cannot write {file}: {error}' },
];
