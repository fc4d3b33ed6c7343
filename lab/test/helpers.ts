import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { hasTool } from '@switchyard/core/testing';

/**
 * The lab needs root, `ip` and etcd. On a developer's machine without them
 * the suites skip; under CI=true (where we run as root with the tools
 * installed by .ci/run) a missing piece fails instead.
 */
function labCanRun(): boolean {
  const root = process.getuid?.() === 0;
  if (!root && process.env.CI === 'true') throw new Error('the lab tests need root, and CI runs as root: run .ci/run as root');
  // Evaluate every tool, so that under CI each missing one throws.
  const tools = [hasTool('ip'), hasTool('etcd'), hasTool('etcdctl')];
  return root && tools.every(Boolean);
}

export const canRun = labCanRun();

/** Namespaces that exist now, by `ip netns list` (the way a person would check). */
export function netnsList(): string[] {
  return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8', timeout: 5_000 })
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter((name) => name !== '');
}

/** Whether `pid` runs (a zombie, dead but not yet reaped, does not). */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
}
