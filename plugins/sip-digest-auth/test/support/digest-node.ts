import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sipPlugin from '@switchyard/plugin-sip';
import { LoopbackChannels, ManualClock, createTestNode, type Plugin, type TestNode } from '@switchyard/sdk';
import { freePort } from '@switchyard/sdk/testing';
import { sipDigestAuthPlugin } from '../../src/index';
import { UdpClient, ha1Line } from './udp-client';

export const REALM = 'sip.test';

/** Users of the default credentials file: alice (both algorithms), bob (MD5 only). */
export const USERS = { alice: 'wonderland', bob: 'builder' };

export function defaultCredentials(): string {
  return [
    '# test users',
    ha1Line('SHA-256', 'alice', REALM, USERS.alice),
    ha1Line('MD5', 'alice', REALM, USERS.alice),
    ha1Line('MD5', 'bob', REALM, USERS.bob),
    '',
  ].join('\n');
}

export interface DigestNode {
  node: TestNode;
  clock: ManualClock;
  port: number;
  dir: string;
  file: string;
  client: UdpClient;
}

export interface DigestNodeOptions {
  /** `sip-digest-auth` options; `realm` and `credentials` (the temp file) are filled in unless given. */
  digest?: Record<string, unknown>;
  /** Whether to write and use the credentials file (false: the options decide). */
  withFile?: boolean;
  extraPlugins?: readonly (Plugin | readonly [Plugin, unknown])[];
  clock?: ManualClock;
  channels?: LoopbackChannels;
  nodeId?: string;
  /** Role at start; default primary at term 1. */
  role?: 'primary' | 'backup';
}

/**
 * One in-process node (virtual time) with the real `sip` plugin on a
 * loopback UDP/TCP port and `sip-digest-auth`, a credentials file in a temp
 * folder, and a UDP client. `cleanup` collects what to stop and remove.
 */
export async function digestNode(cleanup: (() => Promise<void> | void)[], options: DigestNodeOptions = {}): Promise<DigestNode> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-digest-'));
  cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'users.ha1');
  const withFile = options.withFile ?? true;
  if (withFile) fs.writeFileSync(file, defaultCredentials(), { mode: 0o600 });
  const port = await freePort();
  const clock = options.clock ?? new ManualClock();
  const node = createTestNode({
    nodeId: options.nodeId ?? 'node-a',
    clock,
    dataDir: path.join(dir, 'data'),
    channels: options.channels,
    plugins: [
      [sipPlugin, { persistence: { enabled: false } }],
      [sipDigestAuthPlugin, { realm: REALM, ...(withFile ? { credentials: file } : {}), ...options.digest }],
      ...(options.extraPlugins ?? []),
    ],
    nodeOptions: { sip: { host: '127.0.0.1', port } },
  });
  cleanup.push(() => node.stop());
  await node.start();
  await node.order(options.role ?? 'primary', 1);
  const client = await new UdpClient().open();
  cleanup.push(() => client.close());
  return { node, clock, port, dir, file, client };
}

/** Runs the cleanups in reverse order, each even when another failed. */
export async function runCleanup(cleanup: (() => Promise<void> | void)[]): Promise<void> {
  const errors: unknown[] = [];
  for (const c of cleanup.splice(0).reverse()) {
    try {
      await c();
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length > 0) throw errors[0];
}
