import fs from 'node:fs';
import path from 'node:path';
import { runCommand, runCommandSync } from './exec';
import { isSameProcess, signalGroup, waitGone } from './proc';
import { removeRecord, type LabRecordProcess } from './registry';
import { listNamespaces } from './topology';
import { requireTool } from './tools';

/** What to remove: the parts of a lab record teardown needs. */
export interface TeardownTarget {
  prefix: string;
  namespaces: readonly string[];
  dir: string;
  processes: readonly LabRecordProcess[];
}

/** What a teardown removed, for the CLI to print. */
export interface TeardownReport {
  prefix: string;
  /** `label (pid)` of each recorded process that was still alive, and `pid N in <ns>` of any other process found in a lab namespace. */
  killed: string[];
  namespaces: string[];
  dir: string | undefined;
}

const GONE_TIMEOUT_MS = 5_000;

/** Only a folder the lab made (`<prefix>-XXXXXX`, absolute) is ever removed, whatever a record says. */
function isLabDir(target: TeardownTarget): boolean {
  return path.isAbsolute(target.dir) && path.basename(target.dir).startsWith(`${target.prefix}-`);
}

function parsePids(out: string): number[] {
  return out
    .split('\n')
    .map((line) => Number.parseInt(line.trim(), 10))
    .filter((pid) => Number.isInteger(pid) && pid > 0 && pid !== process.pid);
}

function killHard(pid: number): void {
  // A stopped process (SIGSTOP fault) gets SIGKILL too, but SIGCONT first lets its group see the end.
  signalGroup(pid, 'SIGCONT');
  signalGroup(pid, 'SIGKILL');
}

/**
 * Removes a lab: SIGCONT+SIGKILL every recorded process group and every
 * other process still inside a lab namespace, waits for them to be gone,
 * deletes the namespaces (which deletes their veths and bridges), the lab
 * folder and the registry entry. Safe to repeat; tolerates a half-built lab.
 */
export async function teardownLab(target: TeardownTarget): Promise<TeardownReport> {
  const report: TeardownReport = { prefix: target.prefix, killed: [], namespaces: [], dir: undefined };
  const killed: number[] = [];
  for (const p of target.processes) {
    if (!isSameProcess(p.pid, p.startTime)) continue;
    killHard(p.pid);
    killed.push(p.pid);
    report.killed.push(`${p.label} (pid ${p.pid})`);
  }
  const ip = requireTool('ip');
  const existing = new Set(await listNamespaces());
  const present = target.namespaces.filter((ns) => existing.has(ns));
  for (const ns of present) {
    const { stdout } = await runCommand(ip, ['netns', 'pids', ns]);
    for (const pid of parsePids(stdout)) {
      if (killed.includes(pid)) continue;
      killHard(pid);
      killed.push(pid);
      report.killed.push(`pid ${pid} in ${ns}`);
    }
  }
  await waitGone(killed, GONE_TIMEOUT_MS);
  for (const ns of present) {
    const result = await runCommand(ip, ['netns', 'del', ns]);
    if (result.code === 0) report.namespaces.push(ns);
  }
  if (isLabDir(target) && fs.existsSync(target.dir)) {
    fs.rmSync(target.dir, { recursive: true, force: true });
    report.dir = target.dir;
  }
  removeRecord(target.prefix);
  return report;
}

/** The same, synchronously and without waiting, for `process.on('exit')`; never throws. */
export function teardownLabSync(target: TeardownTarget): void {
  try {
    for (const p of target.processes) if (isSameProcess(p.pid, p.startTime)) killHard(p.pid);
    const ip = requireTool('ip');
    for (const ns of target.namespaces) {
      for (const pid of parsePids(runCommandSync(ip, ['netns', 'pids', ns]))) killHard(pid);
      runCommandSync(ip, ['netns', 'del', ns]);
    }
    if (isLabDir(target)) fs.rmSync(target.dir, { recursive: true, force: true });
    removeRecord(target.prefix);
  } catch {
    // best effort: sweepLabs() removes what is left
  }
}
