import type { HostName } from './topology';

/** Options of `Lab.create()`. */
export interface LabOptions {
  /** etcd members to start in the client namespace: 0, 1 (default) or 3. */
  etcdMembers?: 0 | 1 | 3;
  /** Folder in which the lab makes its own folder `<prefix>-XXXXXX` (etcd data, logs); default the OS temp folder. */
  dir?: string;
  /** Told each step (namespaces built, etcd healthy, leftovers swept, …). */
  log?: (line: string) => void;
  /** A fixed name instead of a random `sy<4 hex>` (the CLI uses `sylab`); at most 12 characters, [a-z0-9]. */
  prefix?: string;
  /** How long etcd may take to become healthy; default 20 s. */
  etcdTimeoutMs?: number;
}

/** One of the two hosts: the namespace a Switchyard node runs in, and its addresses. */
export interface LabHost {
  name: HostName;
  ns: string;
  /** On the control network (HA link, etcd, management): 192.0.2.1 or .2. */
  controlAddress: string;
  /** On the SIP network: 198.51.100.1 or .2. */
  sipAddress: string;
  controlIf: string;
  sipIf: string;
}

/** The client namespace: etcd, etcdctl, SIPp and the `switchyard` CLI run here. */
export interface LabClient {
  ns: string;
  /** 192.0.2.254. */
  controlAddress: string;
  /** Every control address (one per etcd member: 192.0.2.254, .253, .252). */
  controlAddresses: string[];
  /** 198.51.100.254. */
  sipAddress: string;
  controlIf: string;
  sipIf: string;
}

/** What `Lab.run()` returns. */
export interface LabRunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** True when it ran past `timeoutMs` and was killed. */
  timedOut: boolean;
}
