import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from '@switchyard/core';

/**
 * The registry of live labs: one JSON file per lab, so that a lab whose
 * owner was killed (SIGKILL, a crashed test worker) can still be found and
 * removed by `sweepLabs()` or `switchyard-lab down`.
 */

/** A process the lab started, identified by pid and start time (see proc.ts). */
export interface LabRecordProcess {
  pid: number;
  startTime: string;
  /** What it is, for messages: `etcd m0`, `node sip-a`, … */
  label: string;
}

/** What the registry knows about one lab. */
export interface LabRecord {
  format: 1;
  prefix: string;
  /** The process that owns the lab; null once detached (`switchyard-lab up`): then only `down` or `sweepLabs({ all: true })` remove it. */
  owner: { pid: number; startTime: string } | null;
  namespaces: string[];
  /** The lab's own folder (etcd data, logs), removed with the lab. */
  dir: string;
  processes: LabRecordProcess[];
  etcdEndpoints: string[];
  createdAt: string;
}

const PREFERRED_DIR = '/run/switchyard-lab';
let chosenDir: string | undefined;

function writable(dir: string): boolean {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.accessSync(dir, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** `/run/switchyard-lab`, or `<tmpdir>/switchyard-lab` when /run is not writable. */
export function registryDir(): string {
  chosenDir ??= writable(PREFERRED_DIR) ? PREFERRED_DIR : path.join(os.tmpdir(), 'switchyard-lab');
  fs.mkdirSync(chosenDir, { recursive: true, mode: 0o700 });
  return chosenDir;
}

export function recordFile(prefix: string): string {
  return path.join(registryDir(), `${prefix}.json`);
}

export async function writeRecord(record: LabRecord): Promise<void> {
  await writeFileAtomic(recordFile(record.prefix), `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
}

function parseRecord(file: string): LabRecord | undefined {
  try {
    const value = JSON.parse(fs.readFileSync(file, 'utf8')) as LabRecord;
    return value.format === 1 && typeof value.prefix === 'string' ? value : undefined;
  } catch {
    return undefined; // gone meanwhile, or being replaced
  }
}

export function readRecord(prefix: string): LabRecord | undefined {
  return parseRecord(recordFile(prefix));
}

export function listRecords(): LabRecord[] {
  const dir = registryDir();
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .flatMap((name) => parseRecord(path.join(dir, name)) ?? []);
}

export function removeRecord(prefix: string): void {
  fs.rmSync(recordFile(prefix), { force: true });
}
