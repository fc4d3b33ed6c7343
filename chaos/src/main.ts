#!/usr/bin/env node
import 'reflect-metadata';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { FAULT_KINDS, type FaultKind, type LabPair } from '@switchyard/lab';
import { formatReport } from './report';
import { runChaos } from './run';
import { describeFault, makeSchedule } from './schedule';

const QUICK_FAULTS = 20;
/** Each tool the run uses, with the Debian package that gives it. */
const REQUIRED_TOOLS: readonly (readonly [string, string])[] = [
  ['ip', 'iproute2'],
  ['etcd', 'etcd-server'],
  ['etcdctl', 'etcd-client'],
  ['sipp', 'sip-tester'],
  ['arping', 'iputils-arping'],
  ['nft', 'nftables'],
];

function onPath(tool: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir !== '' && fs.existsSync(path.join(dir, tool)));
}
const DEFAULT_FAULTS = 200;

function kindList(value: string): FaultKind[] {
  const kinds = value.split(',').map((k) => k.trim()).filter((k) => k !== '');
  const unknown = kinds.filter((k) => !(FAULT_KINDS as readonly string[]).includes(k));
  if (kinds.length === 0 || unknown.length > 0) throw new InvalidArgumentError(`unknown fault kind ${unknown.join(', ') || '(none)'}: use ${FAULT_KINDS.join(', ')}`);
  return [...new Set(kinds)] as FaultKind[];
}

function wholeNumber(name: string, max: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) > max) throw new InvalidArgumentError(`${name} must be a whole number from 0 to ${max}`);
    return Number(value);
  };
}

const HELP = `
Runs a seeded random schedule of faults against a two-host lab pair (network
namespaces, 3 etcd members, every first-party plugin, sync replication that
rejects rather than answers 200 unreplicated) while probers and a REGISTER
load run through the VIP, and checks the invariants after each fault and at
the end. Needs root, iproute2, etcd, etcdctl, sipp, arping and nft.

Exit codes: 0 no violation, 1 a violation (or the run failed), 2 bad argument.

Examples:
  npm run chaos -- --quick
  npm run chaos -- --seed 1234 --faults 200 --out chaos.json
  npm run chaos -- --seed 1234 --faults 20 --schedule-only
See docs/operator/chaos.md.`;

async function main(): Promise<number> {
  const program = new Command('chaos')
    .description('Fault injection with invariants on a two-host lab pair, reproducible from a seed.')
    .option('--seed <n>', 'seed of the schedule (default: random, always printed)', wholeNumber('--seed', 2 ** 32 - 1))
    .option('--faults <n>', `number of faults (default ${DEFAULT_FAULTS})`, wholeNumber('--faults', 100_000))
    .option('--quick', `${QUICK_FAULTS} faults, a few minutes (what CI runs)`)
    .option('--kinds <list>', `only these fault kinds, comma-separated (default all: ${FAULT_KINDS.join(',')})`, kindList)
    .option('--out <file>', 'write the report as JSON to this file')
    .option('--keep-logs', 'keep the agents\' output and the nodes\' logs in /tmp also when no invariant was violated')
    .option('--schedule-only', 'print the schedule and exit, without a lab')
    .addHelpText('after', HELP)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  try {
    program.parse(process.argv);
  } catch (error) {
    const code = (error as { exitCode?: number }).exitCode ?? 2;
    return code === 0 ? 0 : 2;
  }
  const opts = program.opts<{ seed?: number; faults?: number; quick?: boolean; kinds?: FaultKind[]; out?: string; keepLogs?: boolean; scheduleOnly?: boolean }>();
  const seed = opts.seed ?? crypto.randomInt(0, 2 ** 31);
  const count = opts.faults ?? (opts.quick ? QUICK_FAULTS : DEFAULT_FAULTS);
  const schedule = makeSchedule(seed, count, { kinds: opts.kinds });
  const reproduce = `npm run chaos -- --seed ${seed} --faults ${count}${opts.kinds ? ` --kinds ${opts.kinds.join(',')}` : ''}`;
  process.stdout.write(`chaos: seed ${seed}, ${count} faults (reproduce: ${reproduce})\n`);
  for (const f of schedule) process.stdout.write(`schedule ${describeFault(f)}\n`);
  if (opts.scheduleOnly) return 0;
  if (process.getuid?.() !== 0) {
    process.stderr.write('chaos: needs root (network namespaces, nftables); run it as root\n');
    return 1;
  }
  const missing = REQUIRED_TOOLS.filter(([tool]) => !onPath(tool));
  if (missing.length > 0) {
    process.stderr.write(`chaos: missing ${missing.map(([t]) => t).join(', ')}: apt-get install ${[...new Set(missing.map(([, p]) => p))].join(' ')}\n`);
    return 1;
  }

  // Ctrl-C or SIGTERM: remove the pair (the lab's own exit guard removes the namespaces even if this is cut short).
  let pair: LabPair | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`chaos: ${signal}, removing the lab\n`);
    void (pair?.destroy() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const report = await runChaos({ seed, schedule, log: (line) => process.stdout.write(`${line}\n`), onPair: (p) => (pair = p), keepLogs: opts.keepLogs === true });
  process.stdout.write(`${formatReport(report, reproduce)}\n`);
  if (opts.out) fs.writeFileSync(opts.out, `${JSON.stringify(report, null, 2)}\n`);
  return report.violations.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`chaos: the run failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
