import fs from 'node:fs';
import path from 'node:path';

/** One etcd member of a lab: where it listens and keeps its data. */
export interface EtcdMemberPlan {
  index: number;
  name: string;
  address: string;
  clientUrl: string;
  peerUrl: string;
  dataDir: string;
  logFile: string;
}

/** Raft timing of the lab's etcd (ms): etcd's own defaults, which give a 2 s minimum lease TTL. */
export const ETCD_HEARTBEAT_MS = 100;
export const ETCD_ELECTION_MS = 1000;

/** Member i listens on 192.0.2.(254-i), clients on :2379 and peers on :2380. */
export function planEtcd(members: number, labDir: string): EtcdMemberPlan[] {
  return Array.from({ length: members }, (_, index) => {
    const address = `192.0.2.${254 - index}`;
    return {
      index,
      name: `m${index}`,
      address,
      clientUrl: `http://${address}:2379`,
      peerUrl: `http://${address}:2380`,
      dataDir: path.join(labDir, `etcd-m${index}`),
      logFile: path.join(labDir, `etcd-m${index}.log`),
    };
  });
}

/** The etcd command line of one member (a restart reuses it: etcd ignores the initial-* flags once its data dir exists). */
export function etcdArgs(member: EtcdMemberPlan, all: readonly EtcdMemberPlan[], clusterToken: string): string[] {
  return [
    '--name', member.name,
    '--data-dir', member.dataDir,
    '--listen-client-urls', member.clientUrl,
    '--advertise-client-urls', member.clientUrl,
    '--listen-peer-urls', member.peerUrl,
    '--initial-advertise-peer-urls', member.peerUrl,
    '--initial-cluster', all.map((m) => `${m.name}=${m.peerUrl}`).join(','),
    '--initial-cluster-token', clusterToken,
    '--initial-cluster-state', 'new',
    '--heartbeat-interval', String(ETCD_HEARTBEAT_MS),
    '--election-timeout', String(ETCD_ELECTION_MS),
  ];
}

/** `etcdctl … endpoint health` for these endpoints, bounded so that a dead member answers quickly. */
export function etcdHealthArgs(etcdctl: string, endpoints: readonly string[]): string[] {
  return [etcdctl, `--endpoints=${endpoints.join(',')}`, '--dial-timeout=1s', '--command-timeout=2s', 'endpoint', 'health'];
}

/** The environment every etcdctl of the lab runs with (the v3 API, explicitly). */
export const ETCDCTL_ENV: NodeJS.ProcessEnv = { ETCDCTL_API: '3' };

/** The last `count` lines of a member's log, for error messages. */
export function logTail(file: string, count = 15): string {
  try {
    const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
    return lines.slice(-count).join('\n');
  } catch {
    return '(no log)';
  }
}
