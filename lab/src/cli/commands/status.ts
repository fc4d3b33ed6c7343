import type { Command } from 'commander';
import { ETCDCTL_ENV, etcdHealthArgs } from '../../etcd';
import { runCommand } from '../../exec';
import { isSameProcess } from '../../proc';
import { findTool, requireTool } from '../../tools';
import { switchPortStates } from '../../topology';
import { FIXED_NAMES, FIXED_PREFIX, requireFixedLab } from '../fixed-lab';
import { ExitCode } from '../report';
import type { CommandRunner } from '../program';

/** What `switchyard-lab status --json` prints. */
export interface LabStatusView {
  prefix: string;
  dir: string | null;
  registryFile: string;
  namespaces: { name: string; addresses: { interface: string; address: string }[] }[];
  switchPorts: Record<string, 'up' | 'down'>;
  processes: { label: string; pid: number; alive: boolean }[];
  etcd: { endpoints: string[]; healthy: boolean; report: string };
}

async function addressesIn(ns: string): Promise<{ interface: string; address: string }[]> {
  const { stdout } = await runCommand(requireTool('ip'), ['-n', ns, '-o', '-4', 'addr', 'show']);
  return stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length > 3 && fields[2] === 'inet')
    .map((fields) => ({ interface: fields[1]!, address: fields[3]! }));
}

async function etcdHealth(endpoints: string[]): Promise<LabStatusView['etcd']> {
  const etcdctl = findTool('etcdctl');
  if (endpoints.length === 0) return { endpoints, healthy: false, report: 'not started' };
  if (etcdctl === undefined) return { endpoints, healthy: false, report: 'etcdctl is not installed' };
  const result = await runCommand(requireTool('ip'), ['netns', 'exec', FIXED_NAMES.client, ...etcdHealthArgs(etcdctl, endpoints)], {
    env: { ...process.env, ...ETCDCTL_ENV },
    timeoutMs: 8_000,
  });
  return { endpoints, healthy: result.code === 0, report: `${result.stdout}\n${result.stderr}`.trim() };
}

async function collect(): Promise<LabStatusView> {
  const state = await requireFixedLab();
  const record = state.record;
  return {
    prefix: FIXED_PREFIX,
    dir: record?.dir ?? null,
    registryFile: state.registryFile,
    namespaces: await Promise.all(state.namespaces.map(async (name) => ({ name, addresses: await addressesIn(name) }))),
    switchPorts: await switchPortStates(FIXED_NAMES),
    processes: (record?.processes ?? []).map((p) => ({ label: p.label, pid: p.pid, alive: isSameProcess(p.pid, p.startTime) })),
    etcd: await etcdHealth(record?.etcdEndpoints ?? []),
  };
}

function render(view: LabStatusView): string {
  const lines = [`lab ${view.prefix}${view.dir ? ` (files in ${view.dir})` : ''}`, 'namespaces:'];
  for (const ns of view.namespaces) {
    const addresses = ns.addresses.filter((a) => a.interface !== 'lo').map((a) => `${a.interface} ${a.address}`);
    lines.push(`  ${ns.name.padEnd(10)} ${addresses.join('  ') || '(no addresses: the switch)'}`);
  }
  const ports = Object.entries(view.switchPorts).filter(([name]) => /^(h1|h2|cl)-/.test(name));
  lines.push(`switch ports: ${ports.map(([name, s]) => `${name} ${s}`).join(', ')}`);
  lines.push('processes:');
  for (const p of view.processes) lines.push(`  ${p.label} (pid ${p.pid}): ${p.alive ? 'running' : 'not running'}`);
  if (view.processes.length === 0) lines.push('  none recorded');
  lines.push(`etcd: ${view.etcd.healthy ? 'healthy' : 'NOT healthy'}`);
  for (const line of view.etcd.report.split('\n')) if (line !== '') lines.push(`  ${line}`);
  return `${lines.join('\n')}\n`;
}

export function registerStatus(program: Command, run: CommandRunner): void {
  program
    .command('status')
    .description(`show the lab ${FIXED_PREFIX}: namespaces and addresses, switch ports (up, or down when cut), processes and etcd health`)
    .option('--json', 'print a JSON object instead of text')
    .action((options: { json?: boolean }) =>
      run(async () => {
        const view = await collect();
        process.stdout.write(options.json ? `${JSON.stringify(view, null, 2)}\n` : render(view));
        return ExitCode.OK;
      }),
    );
}
