import fs from 'node:fs';
import path from 'node:path';
import type { HostName, Lab, LabProcess } from '@switchyard/lab';
import { waitFor } from '@switchyard/sdk/testing';

/** One keepalived instance of the vip-failover comparison, in a lab host namespace. */
export interface KeepalivedInstance {
  host: HostName;
  /** keepalived's parent process (run with -n: the spawned process itself). */
  process: LabProcess;
  /** Its VRRP child, read from the -r pid file. */
  vrrpPid: number;
}

export interface KeepalivedVrrp {
  vip: string;
  interface: string;
  /** Seconds between adverts (0.1 needs VRRPv3, used for every variant). */
  advertInt: number;
  priority: number;
  /** This host's and the peer's address on `interface` (unicast adverts: no multicast on the bridge). */
  self: string;
  peer: string;
}

/** keepalived.conf of one host: one VRRP instance, unicast to the peer, no checkers, no scripts. */
export function keepalivedConfig(host: HostName, v: KeepalivedVrrp): string {
  return `global_defs {
  router_id switchyard_bench_${host}
  vrrp_version 3
  vrrp_garp_master_delay 1
  vrrp_garp_master_repeat 3
}
vrrp_instance VIP_BENCH {
  state ${v.priority >= 100 ? 'MASTER' : 'BACKUP'}
  interface ${v.interface}
  virtual_router_id 51
  priority ${v.priority}
  advert_int ${v.advertInt}
  unicast_src_ip ${v.self}
  unicast_peer {
    ${v.peer}
  }
  virtual_ipaddress {
    ${v.vip} dev ${v.interface}
  }
}
`;
}

/**
 * Starts keepalived in the foreground in `host`'s namespace (VRRP only, its
 * own config and pid files in `dir`, logging to its console, never to
 * syslog) and waits for its VRRP child's pid file.
 */
export async function startKeepalived(lab: Lab, host: HostName, dir: string, v: KeepalivedVrrp): Promise<KeepalivedInstance> {
  const conf = path.join(dir, `keepalived-${host}.conf`);
  const pidFile = path.join(dir, `keepalived-${host}.pid`);
  const vrrpPidFile = path.join(dir, `keepalived-${host}-vrrp.pid`);
  for (const f of [pidFile, vrrpPidFile]) fs.rmSync(f, { force: true });
  fs.writeFileSync(conf, keepalivedConfig(host, v));
  const proc = lab.spawn(host, ['keepalived', '-n', '-l', '-D', '-G', '-P', '-f', conf, '-p', pidFile, '-r', vrrpPidFile], {
    logFile: path.join(dir, `keepalived-${host}.out`),
    label: `keepalived ${host}`,
  });
  const vrrpPid = await waitFor(
    () => {
      if (!proc.running) throw new Error(`keepalived on ${host} exited at start: ${tail(dir, host)}`);
      const text = fs.existsSync(vrrpPidFile) ? fs.readFileSync(vrrpPidFile, 'utf8').trim() : '';
      return /^\d+$/.test(text) ? Number(text) : undefined;
    },
    5_000,
    `keepalived's VRRP child pid file on ${host}`,
  );
  return { host, process: proc, vrrpPid };
}

/** The end of keepalived's console log on `host`, for an error message. */
export function tail(dir: string, host: HostName): string {
  const file = path.join(dir, `keepalived-${host}.out`);
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').slice(-30).join('\n') : '(no output)';
}

/** A crash: SIGKILL of the VRRP child (the one sending adverts), then of the parent, by pid. */
export function killKeepalived(lab: Lab, k: KeepalivedInstance): void {
  lab.signal(k.vrrpPid, 'SIGKILL');
  if (k.process.running) lab.signal(k.process.pid, 'SIGKILL');
}

/** A clean stop (SIGTERM to the parent, by pid) and its exit awaited; SIGKILL if it does not stop in 5 s. */
export async function stopKeepalived(lab: Lab, k: KeepalivedInstance): Promise<void> {
  if (!k.process.running) return;
  lab.signal(k.process.pid, 'SIGTERM');
  const stopped = await Promise.race([k.process.exited.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 5_000))]);
  if (!stopped && k.process.running) {
    lab.signal(k.process.pid, 'SIGKILL');
    await k.process.exited;
  }
}
