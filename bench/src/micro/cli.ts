#!/usr/bin/env node
/**
 * Runs the micro-benchmarks alone and prints one line a task:
 * `node bench/dist/micro/cli.js [--quick] [--only parse,registrar] [--json FILE]`.
 * `--cpu N` runs each task N times instead and reports CPU time per call
 * (steadier on a busy machine; the mode for callgrind); `--task NAME`
 * keeps one task of each group in that mode. Some tasks take milliseconds
 * (replication's 10k installs): pick groups with `--only` and a small N.
 */
import 'reflect-metadata';
import fs from 'node:fs';
import { microBenchmarks, type MicroResult } from './index';
import { runFixed } from './runner';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const quick = argv.includes('--quick');
  const onlyAt = argv.indexOf('--only');
  const only = onlyAt >= 0 ? (argv[onlyAt + 1] ?? '').split(',') : null;
  const jsonAt = argv.indexOf('--json');
  const cpuAt = argv.indexOf('--cpu');
  const iterations = cpuAt >= 0 ? Number(argv[cpuAt + 1]) : 0;
  const taskAt = argv.indexOf('--task');
  const taskFilter = taskAt >= 0 ? argv[taskAt + 1]! : undefined;
  const results: MicroResult[] = [];
  for (const group of microBenchmarks) {
    if (only && !only.includes(group.name)) continue;
    const tasks = group.tasks?.().filter((task) => taskFilter === undefined || task.name === taskFilter);
    const rows = iterations > 0 && tasks ? await runFixed(group.name, tasks, iterations) : await group.run({ quick });
    for (const r of rows) {
      results.push(r);
      const ops = Math.round(r.hz).toLocaleString('en-US').padStart(12);
      process.stdout.write(`${r.name.padEnd(42)} ${ops} ops/s  mean ${(r.meanNs / 1000).toFixed(2).padStart(8)} µs  ${iterations > 0 ? 'CPU' : `p99 ${(r.p99Ns / 1000).toFixed(2).padStart(8)} µs  ±${r.rme.toFixed(1)}%`}\n`);
    }
  }
  if (jsonAt >= 0) fs.writeFileSync(argv[jsonAt + 1]!, `${JSON.stringify(results, null, 2)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`micro: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
