import dgram from 'node:dgram';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, tempDir, writePairConfig } from '@switchyard/sdk/testing';

/** The repository's node_modules, so a config in a temp folder resolves `sip` and `alarm-reactions`. */
const NODE_MODULES = path.resolve(__dirname, '../../../../node_modules');

export interface AlarmPairConfig {
  dir: string;
  file: string;
  runtimeDir: string;
  ports: { 'sip-a': number; 'sip-b': number };
}

/** A single-host pair with the `sip` and `alarm-reactions` plugins and these `alarms`, in a fresh temp folder. */
export async function writeAlarmPairConfig(alarms: Record<string, unknown>, dir = tempDir('switchyard-alarms-')): Promise<AlarmPairConfig> {
  fs.symlinkSync(NODE_MODULES, path.join(dir, 'node_modules'), 'dir');
  const ports = { 'sip-a': await freePort(), 'sip-b': await freePort() };
  const file = await writePairConfig(dir, { plugins: { sip: { bindRetryInterval: 0.5 }, 'alarm-reactions': true }, alarms }, [
    { sip: { port: ports['sip-a'] } },
    { sip: { port: ports['sip-b'] } },
  ]);
  return { dir, file, runtimeDir: path.join(dir, '.switchyard'), ports };
}

/** Holds a UDP port, as another process holding the SIP port would. */
export async function holdUdp(port: number): Promise<dgram.Socket> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, '127.0.0.1', () => resolve());
  });
  return socket;
}

export const release = (socket: dgram.Socket) => new Promise<void>((resolve) => socket.close(() => resolve()));
