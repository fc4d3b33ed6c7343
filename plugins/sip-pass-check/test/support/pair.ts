import dgram from 'node:dgram';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, tempDir, writePairConfig } from '@switchyard/sdk/testing';
import type { PassCheckStatus } from '../../src/index';

/** The repository's node_modules, so a config in a temp folder resolves `sip` and `sip-pass-check` to the workspace packages. */
const NODE_MODULES = path.resolve(__dirname, '../../../../node_modules');

export interface PassCheckPairConfig {
  dir: string;
  file: string;
  /** `<dir>/.switchyard`: logs and data of the run. */
  runtimeDir: string;
  ports: { 'sip-a': number; 'sip-b': number };
}

/** A single-host pair config with the SIP plugin and sip-pass-check, in a fresh temp folder. */
export async function writePassCheckPairConfig(passCheck: Record<string, unknown>): Promise<PassCheckPairConfig> {
  const dir = tempDir('switchyard-sip-pass-check-');
  fs.symlinkSync(NODE_MODULES, path.join(dir, 'node_modules'), 'dir');
  const ports = { 'sip-a': await freePort(), 'sip-b': await freePort() };
  const file = await writePairConfig(dir, { plugins: { sip: { bindRetryInterval: 0.5 }, 'sip-pass-check': passCheck } }, [
    { sip: { port: ports['sip-a'] } },
    { sip: { port: ports['sip-b'] } },
  ]);
  return { dir, file, runtimeDir: path.join(dir, '.switchyard'), ports };
}

/** A free UDP port on 127.0.0.1 (asked of the kernel, then released), for a SIPp UAS. */
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

export function passCheckOf(node: Record<string, unknown> | undefined): PassCheckStatus | undefined {
  return node?.sipPassCheck as PassCheckStatus | undefined;
}
