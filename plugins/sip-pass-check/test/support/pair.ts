import dgram from 'node:dgram';
import { tempDir } from '@switchyard/sdk/testing';
import { writeSipPairConfig, type SipPairConfig } from '@switchyard/plugin-sip/testing';
import type { PassCheckStatus } from '../../src/index';

export type PassCheckPairConfig = SipPairConfig;

/** A single-host pair config with the SIP plugin and sip-pass-check, in a fresh temp folder. */
export function writePassCheckPairConfig(passCheck: Record<string, unknown>): Promise<PassCheckPairConfig> {
  return writeSipPairConfig({ plugins: { 'sip-pass-check': passCheck }, dir: tempDir('switchyard-sip-pass-check-') });
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
