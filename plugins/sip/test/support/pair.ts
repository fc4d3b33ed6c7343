import fs from 'node:fs';
import path from 'node:path';
import { freePort, tempDir, writePairConfig } from '@switchyard/sdk/testing';

/** The repository's node_modules, so a config in a temp folder resolves `sip` → @switchyard/plugin-sip. */
const NODE_MODULES = path.resolve(__dirname, '../../../../node_modules');

export interface SipPairConfig {
  dir: string;
  file: string;
  ports: { 'sip-a': number; 'sip-b': number };
}

/** A single-host pair config with the SIP plugin, in a fresh temp folder. */
export async function writeSipPairConfig(sipOptions: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Promise<SipPairConfig> {
  const dir = tempDir('switchyard-sip-');
  fs.symlinkSync(NODE_MODULES, path.join(dir, 'node_modules'), 'dir');
  const ports = { 'sip-a': await freePort(), 'sip-b': await freePort() };
  const file = await writePairConfig(dir, { plugins: { sip: { bindRetryInterval: 0.5, ...sipOptions } }, ...extra }, [
    { sip: { port: ports['sip-a'] } },
    { sip: { port: ports['sip-b'] } },
  ]);
  return { dir, file, ports };
}

export interface SipSection {
  host: string;
  port: number;
  listening: boolean;
  bindings: number;
  replication: { mode: string; inSync: boolean; lag: number };
}

export function sipOf(node: Record<string, unknown> | undefined): SipSection | undefined {
  return node?.sip as SipSection | undefined;
}
