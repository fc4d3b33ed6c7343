import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { childPids } from '../machine';

/** The registrar configuration (read from the source tree: tsc does not copy it to dist). */
export const KAMAILIO_CONFIG = path.resolve(__dirname, '../../src/kamailio/registrar.cfg');

/** Memory a binding takes in Kamailio's shared memory, measured at about 1.1 KiB, with a margin. */
const SHM_PER_BINDING = 1.5 * 1024;

/**
 * Kamailio as the bench's reference registrar: `kamailio -DD -E` (it forks its
 * workers but stays in the foreground, logging to stderr) on 127.0.0.1 and a
 * free UDP port, from `registrar.cfg` (in-memory usrloc, 2 UDP children),
 * in its own temporary runtime folder. Stopped by its pid; its workers,
 * should any outlive it, by theirs.
 */
export class KamailioRegistrar {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-kamailio-'));
  port = 0;
  private child: ChildProcess | null = null;
  private exited: Promise<number | null> = Promise.resolve(null);
  private workers: number[] = [];

  constructor(
    private readonly bin: string,
    /** How many bindings it must hold at most: sizes its shared memory (-m). */
    private readonly bindings: number,
  ) {}

  get logFile(): string {
    return path.join(this.dir, 'kamailio.log');
  }

  /** The main process and its children (the UDP workers, timers, …), as of the last start. */
  get pids(): number[] {
    return this.child?.pid === undefined ? [] : [this.child.pid, ...this.workers];
  }

  /** Starts it on a free port; a port taken meanwhile (kamailio exits at once) is tried again with another, twice. */
  async start(timeoutMs = 10_000): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.startOnce(timeoutMs);
      } catch (error) {
        if (attempt >= 3 || !(error instanceof EarlyExit)) throw error;
      }
    }
  }

  private async startOnce(timeoutMs: number): Promise<void> {
    this.port = await freeUdpPort();
    const shmMiB = Math.ceil((128 + (this.bindings * SHM_PER_BINDING) / 2 ** 20) / 64) * 64;
    const log = fs.openSync(this.logFile, 'a');
    const args = ['-DD', '-E', '-f', KAMAILIO_CONFIG, '-l', `udp:127.0.0.1:${this.port}`, '-m', String(shmMiB), '-M', '16', '-Y', this.dir, '-w', this.dir];
    const child = spawn(this.bin, args, { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    this.child = child;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code) => resolve(code));
      child.once('error', () => resolve(null));
    });
    let alive = true;
    void this.exited.then(() => (alive = false));
    const deadline = performance.now() + timeoutMs;
    while (!(await answersOptions(this.port, 300))) {
      if (!alive) throw new EarlyExit(`kamailio exited while starting (${this.bin} ${args.join(' ')}):\n${this.logTail()}`);
      if (performance.now() > deadline) {
        const error = new Error(`kamailio did not answer OPTIONS on 127.0.0.1:${this.port} within ${timeoutMs} ms:\n${this.logTail()}`);
        await this.stop();
        throw error;
      }
    }
    this.workers = childPids(child.pid!);
    process.once('exit', this.killAll);
  }

  /** SIGKILL to every process it started, and its folder removed: at the bench's exit, should a failure skip `stop()`. */
  private readonly killAll = (): void => {
    for (const pid of this.pids) {
      if (isKamailio(pid)) kill(pid);
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  };

  /** SIGTERM to the main process (it stops its workers), SIGKILL after 5 s; then any worker left, by pid; then the folder. */
  async stop(): Promise<void> {
    const child = this.child;
    try {
      if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await this.exited;
        clearTimeout(timer);
      }
      for (const pid of this.workers) {
        if (isKamailio(pid)) kill(pid);
      }
    } finally {
      process.removeListener('exit', this.killAll);
      this.child = null;
      fs.rmSync(this.dir, { recursive: true, force: true });
    }
  }

  logTail(lines = 20): string {
    try {
      return fs.readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }
}

/** Kamailio exited before it answered (a bad config, or its port taken meanwhile). */
class EarlyExit extends Error {}

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // exited meanwhile
  }
}

/** Whether `pid` is still a kamailio process (not a reused pid). */
function isKamailio(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('kamailio');
  } catch {
    return false;
  }
}

/** A UDP port free on 127.0.0.1 now. */
export function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

/** One OPTIONS to 127.0.0.1:`port`; true when a 200 comes back within `timeoutMs`. */
function answersOptions(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.close();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('error', () => done(false));
    socket.on('message', (msg) => {
      if (msg.toString('latin1').startsWith('SIP/2.0 200')) done(true);
    });
    socket.bind(0, '127.0.0.1', () => {
      const local = socket.address().port;
      const tag = Math.random().toString(36).slice(2);
      const request = [
        `OPTIONS sip:127.0.0.1:${port} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${local};branch=z9hG4bK${tag};rport`,
        'Max-Forwards: 70',
        `From: <sip:bench@127.0.0.1:${local}>;tag=${tag}`,
        `To: <sip:127.0.0.1:${port}>`,
        `Call-ID: ${tag}@bench`,
        'CSeq: 1 OPTIONS',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
      socket.send(request, port, '127.0.0.1');
    });
  });
}
