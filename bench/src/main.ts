#!/usr/bin/env node
import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { gitCommit, machineInfo } from './machine';
import { microBenchmarks } from './micro/index';
import { Progress } from './progress';
import { catchUpScenario, replicationLagScenario } from './scenarios/replication';
import { failoverScenario } from './scenarios/failover';
import { footprintScenario } from './scenarios/footprint';
import { footprint1mScenario } from './scenarios/footprint-1m';
import { falseSwitchoversScenario } from './scenarios/false-switchovers';
import { supervisorRestartScenario } from './scenarios/supervisor-restart';
import { multihostCrashScenario, multihostHostLossScenario } from './scenarios/multihost';
import { referenceKamailioScenario } from './scenarios/reference-kamailio';
import { throughputScenario } from './scenarios/throughput';
import { vipFailoverScenario } from './scenarios/vip-failover';
import { publicAddressFailoverScenario } from './scenarios/public-address-failover';
import type { Scenario, ScenarioContext } from './scenarios/context';
import type { ScenarioResult } from './stats';
import { renderTable } from './table';

const REPO = path.resolve(__dirname, '../..');

/** micro: the in-process micro-benchmarks (bench/src/micro), one row a task, in ops/s. */
const microScenario: Scenario = {
  name: 'micro',
  usesSipp: false,
  async run(ctx: ScenarioContext): Promise<ScenarioResult[]> {
    const rows: ScenarioResult[] = [];
    const us = (ns: number) => (Number.isFinite(ns) ? `${(ns / 1000).toFixed(2)} µs` : '-');
    for (const group of microBenchmarks) {
      ctx.progress.update(`micro: ${group.name}`);
      for (const r of await group.run({ quick: ctx.quick })) {
        const hz = Math.round(r.hz);
        const rme = Number.isFinite(r.rme) ? `, ±${r.rme.toFixed(1)}%` : '';
        rows.push({
          name: `micro ${r.name}`,
          unit: 'ops/s',
          runs: r.samples,
          min: hz,
          median: hz,
          p99: null,
          max: hz,
          notes: [`mean ${us(r.meanNs)}, p99 ${us(r.p99Ns)}${rme} per operation (tinybench, in-process; runs = samples)`],
          details: { meanNs: r.meanNs, p99Ns: Number.isFinite(r.p99Ns) ? r.p99Ns : null, rme: Number.isFinite(r.rme) ? r.rme : null },
        });
      }
    }
    return rows;
  },
};

const SCENARIOS: Scenario[] = [
  microScenario,
  failoverScenario('crash'),
  failoverScenario('freeze'),
  publicAddressFailoverScenario,
  supervisorRestartScenario,
  throughputScenario,
  referenceKamailioScenario,
  replicationLagScenario,
  catchUpScenario,
  footprintScenario,
  footprint1mScenario,
  falseSwitchoversScenario,
  multihostCrashScenario,
  multihostHostLossScenario,
  vipFailoverScenario,
];

const HELP = `Usage: npm run bench -- [--quick] [--only NAME[,NAME]] [--out FILE]

Runs Switchyard's benchmarks against real processes started from a generated
single-host config (switchyard up), with SIPp as the load, on loopback only;
reference runs Kamailio (Debian kamailio) under the same SIPp scenarios and
rate steps as register-throughput, for the table's reference and ratio
columns (skipped without kamailio, an error under CI=true); micro runs the
in-process micro-benchmarks (bench/src/micro: parse, registrar, …) in ops/s;
footprint-1m starts a pair whose journals hold 1M bindings (100k with --quick);
the multihost-* and vip-failover scenarios run a pair on two hosts of the network-namespace
lab (@switchyard/lab: root, ip, etcd; skipped without them, an error under
CI=true; vip-failover also runs keepalived). Prints a table and writes the raw figures as JSON (default
bench/results/latest.json).

  --quick        every scenario small (CI runs this)
  --only NAMES   run only these scenarios: ${SCENARIOS.map((s) => s.name).join(', ')}
  --out FILE     where to write the JSON
  -h, --help     this text
`;

interface Args {
  quick: boolean;
  only: string[] | null;
  out: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { quick: false, only: null, out: path.join(REPO, 'bench', 'results', 'latest.json') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') args.quick = true;
    else if (a === '--only') args.only = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (a === '--out') args.out = path.resolve(argv[++i] ?? args.out);
    else if (a === '-h' || a === '--help') {
      process.stdout.write(HELP);
      process.exit(0);
    } else {
      process.stderr.write(`bench: unknown argument ${a}\n\n${HELP}`);
      process.exit(2);
    }
  }
  const known = new Set(SCENARIOS.map((s) => s.name));
  for (const name of args.only ?? []) {
    if (!known.has(name)) {
      process.stderr.write(`bench: unknown scenario "${name}"; known: ${[...known].join(', ')}\n`);
      process.exit(2);
    }
  }
  return args;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const machine = machineInfo();
  const selected = SCENARIOS.filter((s) => !args.only || args.only.includes(s.name));
  if (!machine.sipp && selected.some((s) => s.usesSipp !== false)) {
    process.stderr.write('bench: SIPp (Debian package sip-tester) is required: apt-get install sip-tester\n');
    return 1;
  }
  const commit = gitCommit(REPO);
  const progress = new Progress();
  const shared: Record<string, number> = {};
  const results: ScenarioResult[] = [];
  const failures: string[] = [];
  const started = Date.now();
  for (const [i, scenario] of selected.entries()) {
    const t0 = Date.now();
    progress.update(`[${i + 1}/${selected.length}] ${scenario.name} …`);
    try {
      const rows = await scenario.run({ quick: args.quick, progress, shared });
      results.push(...rows);
      progress.done();
      const skipped = rows.length > 0 && rows.every((r) => r.skipped !== undefined);
      process.stderr.write(`[${i + 1}/${selected.length}] ${scenario.name} ${skipped ? 'skipped' : 'done'} in ${((Date.now() - t0) / 1000).toFixed(1)}s\n`);
    } catch (error) {
      progress.done();
      failures.push(scenario.name);
      process.stderr.write(`[${i + 1}/${selected.length}] ${scenario.name} FAILED: ${error instanceof Error ? error.stack : String(error)}\n`);
    }
  }
  const report = {
    quick: args.quick,
    startedAt: new Date(started).toISOString(),
    seconds: Math.round((Date.now() - started) / 1000),
    machine,
    commit,
    scenarios: results.map((r) => ({ ...r, machine, commit })),
    failed: failures,
  };
  fs.mkdirSync(path.dirname(args.out), { recursive: true });
  fs.writeFileSync(args.out, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(
    `\nSwitchyard benchmarks${args.quick ? ' (--quick)' : ''} · ${machine.cpus} × ${machine.cpuModel} · ${machine.memoryGiB} GiB · node ${machine.node} · ${machine.sipp ?? 'no SIPp'} · ${machine.kamailio ?? 'no Kamailio'} · commit ${commit ?? '?'}\n\n`,
  );
  process.stdout.write(`${renderTable(results)}\n\nraw figures: ${path.relative(process.cwd(), args.out)} (${report.seconds}s in all)\n`);
  for (const r of results) {
    if (r.skipped !== undefined) process.stderr.write(`bench: ${r.name} skipped: ${r.skipped}\n`);
    else if (r.target && !r.target.met) process.stderr.write(`bench: ${r.name} missed its target (${r.target.text} ${r.unit})\n`);
  }
  if (failures.length > 0) process.stderr.write(`bench: ${failures.length} scenario(s) failed: ${failures.join(', ')}\n`);
  return failures.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench: ${String(error)}\n`);
    process.exit(1);
  },
);
