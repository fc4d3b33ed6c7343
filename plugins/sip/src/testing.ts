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
