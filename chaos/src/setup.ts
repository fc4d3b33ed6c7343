import path from 'node:path';
import { LabPair, labConfig, type LabProcess } from '@switchyard/lab';

/** The virtual IP, on the lab's SIP network. */
export const VIP = '198.51.100.100';
export const VIP_CIDR = `${VIP}/24`;
export const SIP_IF = 'sip0';
export const SIP_PORT = 5060;
export const HA_PORT = 7461;
export const LEASE_TTL = 2;
/** sip-iptakeover-monitoring's defaults: a check every 0.5 s, 3 attempts. */
export const VIP_CHECK_INTERVAL = 0.5;
export const VIP_ATTEMPTS = 3;
/** The SIPp service device sip-pass-check probes, in the client namespace. */
export const DEVICE = { address: '198.51.100.254', port: 5070 };
const DEVICE_SCENARIO = path.join(__dirname, '..', 'scenarios', 'device.xml');

/**
 * The lab pair's config with every first-party plugin on: the etcd
 * arbiter (3 members, default `onEtcdLoss: 'failsafe'`), sync replication
 * that rejects rather than answers 200 unreplicated, the VIP, both NIC
 * monitors, the split-brain rule and sip-pass-check with one SIPp device.
 */
export function chaosConfig(dir: string, endpoints: readonly string[]): Record<string, unknown> {
  const base = labConfig(dir, endpoints);
  return {
    ...base,
    arbiter: { ...(base.arbiter as object), leaseTtl: LEASE_TTL },
    plugins: {
      sip: { bindRetryInterval: 1, replication: { mode: 'sync', onTimeout: 'reject' } },
      'alarm-reactions': true,
      'tlib-nicmonitoring': true,
      'sip-nic-monitoring': true,
      'sip-iptakeover-monitoring': { vip: VIP_CIDR, interface: SIP_IF },
      'control-vip-scripts': true,
      'sip-pass-check': { serviceDevices: [{ uri: `sip:device@${DEVICE.address}:${DEVICE.port}`, oosCheck: 1, oosForce: 2 }] },
    },
  };
}

/** Each node's data disk (a tmpfs): room for the run's journal, small enough to fill in an instant. */
export const NODE_DISK_BYTES = 16 * 1024 * 1024;

/** The lab pair (agents not started yet), each node's journal on a disk of its own, each host on a clock of its own. */
export function createChaosPair(): Promise<LabPair> {
  return LabPair.create({ etcdMembers: 3, config: chaosConfig, nodeDisk: NODE_DISK_BYTES, hostClocks: true });
}

/** The service device: SIPp in the client namespace answering OPTIONS with 200, for at most `seconds`. */
export function startDevice(pair: LabPair, seconds: number): LabProcess {
  return pair.lab.spawn(
    'client',
    ['sipp', '-sf', DEVICE_SCENARIO, '-i', DEVICE.address, '-p', String(DEVICE.port), '-nostdin', '-m', '1000000', '-timeout', `${seconds}s`],
    { logFile: path.join(pair.dir, 'device.out'), label: 'sipp service device' },
  );
}
