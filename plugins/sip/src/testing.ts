/**
 * `@switchyard/plugin-sip/testing`: helpers for real-process tests of the
 * SIP plugin and of plugins built on it (a pair config with SIP ports in a
 * temp folder, a held port, the status section).
 */
import dgram from 'node:dgram';
import path from 'node:path';
import { freePort, linkNodeModules, tempDir, writePairConfig } from '@switchyard/sdk/testing';
import type { SipStatus } from './sip-api';

export interface SipPairConfig {
  dir: string;
  file: string;
  /** `<dir>/.switchyard`: token, logs and data of the run. */
  runtimeDir: string;
  ports: { 'sip-a': number; 'sip-b': number };
}

export interface SipPairOptions {
  /** Options of the `sip` plugin (bindRetryInterval defaults to 0.5 s here). */
  sip?: Record<string, unknown>;
  /** Other plugins to enable, by config key. */
  plugins?: Record<string, unknown>;
  /** Other top-level config keys (e.g. `alarms`). */
  config?: Record<string, unknown>;
  /** Folder to write into; default a fresh temp folder. */
  dir?: string;
}

/** A single-host pair config with the SIP plugin (free SIP, HA and management ports), in a temp folder. */
export async function writeSipPairConfig(options: SipPairOptions = {}): Promise<SipPairConfig> {
  const dir = options.dir ?? tempDir('switchyard-sip-');
  linkNodeModules(dir);
  const ports = { 'sip-a': await freePort(), 'sip-b': await freePort() };
  const file = await writePairConfig(
    dir,
    { plugins: { sip: { bindRetryInterval: 0.5, ...options.sip }, ...options.plugins }, ...options.config },
    [{ sip: { port: ports['sip-a'] } }, { sip: { port: ports['sip-b'] } }],
  );
  return { dir, file, runtimeDir: path.join(dir, '.switchyard'), ports };
}

/** A node's `sip` status section, from `status --json`. */
export function sipOf(node: Record<string, unknown> | undefined): SipStatus | undefined {
  return node?.sip as SipStatus | undefined;
}

/** Holds a UDP port on 127.0.0.1, as another process holding the SIP port would. */
export async function holdUdp(port: number): Promise<dgram.Socket> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, '127.0.0.1', () => resolve());
  });
  return socket;
}

/** Frees a port taken with {@link holdUdp}. */
export function releaseUdp(socket: dgram.Socket): Promise<void> {
  return new Promise((resolve) => socket.close(() => resolve()));
}

/**
 * A SIP-over-UDP test client on 127.0.0.1: sends raw text (lines joined with
 * CRLF), reads raw answers. Waits are bounded and in real time (the node
 * answers from its socket); `tick` lets a test's virtual clock move while it
 * waits.
 */
export class SipUdpClient {
  private readonly socket = dgram.createSocket('udp4');
  private readonly inbox: string[] = [];
  private waiters: (() => void)[] = [];
  port = 0;

  async open(): Promise<this> {
    this.socket.on('message', (m) => {
      this.inbox.push(m.toString('utf8'));
      for (const w of this.waiters.splice(0)) w();
    });
    await new Promise<void>((resolve) => this.socket.bind(0, '127.0.0.1', () => resolve()));
    this.port = (this.socket.address() as { port: number }).port;
    return this;
  }

  send(port: number, text: string): void {
    this.socket.send(Buffer.from(text.replace(/\r?\n/g, '\r\n')), port, '127.0.0.1');
  }

  /** The next answer, waiting at most `timeoutMs`. */
  async next(timeoutMs = 3_000, tick?: () => Promise<void>): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (this.inbox.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no SIP answer');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, tick ? Math.min(left, 20) : left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      if (tick) await tick();
    }
    return this.inbox.shift()!;
  }

  /** Sends `text` and returns the answer. */
  async ask(port: number, text: string): Promise<string> {
    this.send(port, text);
    return this.next();
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/** The status code of a raw SIP answer (0 if it is not one). */
export const statusOf = (answer: string): number => Number(/^SIP\/2\.0 (\d{3})/.exec(answer)?.[1] ?? 0);
