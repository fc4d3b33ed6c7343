import fs from 'node:fs';
import { runCommand } from './exec';
import { listNamespaces } from './topology';
import { requireTool } from './tools';

/**
 * What a lab run can leave behind, read before and after: network
 * namespaces, addresses of the machine's own namespace, this process's open
 * file descriptors and child processes, and mounts.
 */
export interface ResourceSnapshot {
  namespaces: string[];
  /** `dev address/prefix` of every address in this (the root) namespace. */
  addresses: string[];
  /** Targets of this process's open file descriptors (`/proc/self/fd`). */
  fds: string[];
  /** Pids of this process's children. */
  children: number[];
  /** Mount points (`/proc/self/mountinfo`, field 5). */
  mounts: string[];
}

/** One thing found after the run that was not there before. */
export interface Leak {
  kind: 'namespace' | 'address' | 'fd' | 'process' | 'mount' | 'path';
  what: string;
}

function children(): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] !== 'Z' && Number(fields[1]) === process.pid) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function fds(): string[] {
  const out: string[] = [];
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      out.push(fs.readlinkSync(`/proc/self/fd/${fd}`));
    } catch {
      // the fd readdir itself used, closed meanwhile
    }
  }
  return out;
}

/** Reads what a run could leak (no lab needed; runs `ip` in this namespace only to read). */
export async function snapshotResources(): Promise<ResourceSnapshot> {
  const r = await runCommand(requireTool('ip'), ['-json', 'addr', 'show']);
  const links = JSON.parse(r.stdout || '[]') as { ifname: string; addr_info?: { local: string; prefixlen: number }[] }[];
  const mounts = fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((m) => m !== '');
  return {
    namespaces: await listNamespaces(),
    addresses: links.flatMap((l) => (l.addr_info ?? []).map((a) => `${l.ifname} ${a.local}/${a.prefixlen}`)),
    fds: fds(),
    children: children(),
    mounts,
  };
}

/** Items of `after` not in `before`, counting duplicates (two new pipes are two leaks). */
function added(before: readonly string[], after: readonly string[]): string[] {
  const left = new Map<string, number>();
  for (const b of before) left.set(b, (left.get(b) ?? 0) + 1);
  const out: string[] = [];
  for (const a of after) {
    const n = left.get(a) ?? 0;
    if (n > 0) left.set(a, n - 1);
    else out.push(a);
  }
  return out;
}

/**
 * What `after` holds that `before` did not: namespaces, root addresses,
 * mounts, child processes, and file descriptors beyond `fdSlack` (Node
 * itself may open a few lazily: a DNS or crypto handle). `paths` that must
 * be gone (the lab's folders) are checked too. With `namespaces` (those the
 * run made), other new namespaces and their `/run/netns` mounts are
 * ignored: they belong to someone else's lab.
 */
export function findLeaks(
  before: ResourceSnapshot,
  after: ResourceSnapshot,
  opts: { fdSlack?: number; paths?: readonly string[]; namespaces?: readonly string[] } = {},
): Leak[] {
  // Other labs may come and go meanwhile (tests of another process): with `namespaces`, only those count.
  const ours = (ns: string) => opts.namespaces === undefined || opts.namespaces.includes(ns);
  // iproute2 leaves /run/netns itself mounted once it made a first namespace there, by design.
  const ourMount = (m: string) => m !== '/run/netns' && (opts.namespaces === undefined || !m.startsWith('/run/netns/') || ours(m.slice('/run/netns/'.length)));
  const leaks: Leak[] = [
    ...added(before.namespaces, after.namespaces)
      .filter(ours)
      .map((what) => ({ kind: 'namespace' as const, what })),
    ...added(before.addresses, after.addresses).map((what) => ({ kind: 'address' as const, what })),
    ...added(before.mounts, after.mounts)
      .filter(ourMount)
      .map((what) => ({ kind: 'mount' as const, what })),
    ...added(before.children.map(String), after.children.map(String)).map((pid) => ({ kind: 'process' as const, what: `child pid ${pid}` })),
    ...(opts.paths ?? []).filter((p) => fs.existsSync(p)).map((what) => ({ kind: 'path' as const, what })),
  ];
  const newFds = added(before.fds, after.fds);
  if (newFds.length > (opts.fdSlack ?? 0)) leaks.push(...newFds.map((what) => ({ kind: 'fd' as const, what })));
  return leaks;
}
