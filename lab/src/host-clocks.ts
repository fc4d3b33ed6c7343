import fs from 'node:fs';
import path from 'node:path';
import { LabError } from './errors';
import { requireTool } from './tools';

/** Where Debian's libfaketime puts the library, by architecture. */
const LIBRARY_DIRS = ['/usr/lib/x86_64-linux-gnu/faketime', '/usr/lib/aarch64-linux-gnu/faketime', '/usr/lib/faketime', '/usr/local/lib/faketime'];

/** libfaketime's library; throws `SWY_ERR_LAB_TOOL_MISSING` naming the package when it is not installed. */
export function fakeTimeLibrary(): string {
  requireTool('faketime');
  for (const dir of LIBRARY_DIRS) {
    const file = path.join(dir, 'libfaketime.so.1');
    if (fs.existsSync(file)) return file;
  }
  throw new LabError('SWY_ERR_LAB_TOOL_MISSING', `libfaketime.so.1 is in none of ${LIBRARY_DIRS.join(', ')}; install the Debian package faketime`);
}

/**
 * A wall clock of its own for each lab host, so a test can step one host's
 * clock as NTP (or a resumed VM) would, without touching the machine's.
 * Processes started with {@link envFor} read CLOCK_REALTIME through
 * libfaketime, offset by what the host's file says (re-read at most once a
 * second); CLOCK_MONOTONIC is left alone, as a real step leaves it.
 */
export class HostClocks {
  private readonly library = fakeTimeLibrary();
  private readonly offsets = new Map<string, number>();

  constructor(private readonly dir: string) {}

  /** The environment that puts a process on `host`'s clock (its children inherit it). */
  envFor(host: string): NodeJS.ProcessEnv {
    const file = this.fileOf(host);
    if (!this.offsets.has(host)) this.write(host, 0);
    return {
      LD_PRELOAD: this.library,
      FAKETIME_TIMESTAMP_FILE: file,
      FAKETIME_CACHE_DURATION: '1',
      // Both spellings: libfaketime renamed it (0.9.8), older builds read the first.
      DONT_FAKE_MONOTONIC: '1',
      FAKETIME_DONT_FAKE_MONOTONIC: '1',
    };
  }

  /** Steps `host`'s wall clock to `seconds` off the real one (0: back in step). Seen by its processes within about a second. */
  step(host: string, seconds: number): void {
    if (!Number.isInteger(seconds)) throw new LabError('SWY_ERR_LAB_BAD_ARGUMENT', `a clock step is whole seconds, not ${seconds}`);
    this.write(host, seconds);
  }

  /** `host`'s offset from the real clock, seconds. */
  offsetOf(host: string): number {
    return this.offsets.get(host) ?? 0;
  }

  private fileOf(host: string): string {
    return path.join(this.dir, `clock-${host}`);
  }

  private write(host: string, seconds: number): void {
    // libfaketime's relative form: "+600" or "-600", seconds.
    const tmp = `${this.fileOf(host)}.tmp`;
    fs.writeFileSync(tmp, `${seconds >= 0 ? '+' : ''}${seconds}\n`);
    fs.renameSync(tmp, this.fileOf(host));
    this.offsets.set(host, seconds);
  }
}
