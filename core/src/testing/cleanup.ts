import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * What the test harness made and has not cleaned up yet: temp folders
 * ({@link tempDir}, test nodes' data folders) and test nodes not stopped.
 *
 * One registry per process, kept on `globalThis` under a global symbol:
 * core and the SDK may be loaded more than once in a test process (their
 * built CommonJS by a plugin, their sources by their own tests), and a test
 * runner's setup file reaches it without importing either:
 *
 * ```ts
 * afterAll(() => (globalThis as any)[Symbol.for('switchyard.testing.resources')]?.cleanup());
 * ```
 *
 * `cleanup()` stops the nodes still running and removes the folders; the
 * repository's vitest setup runs it after every test file, also when a test
 * failed. Outside such a runner, the folders left are removed when the
 * process exits (vitest's workers never emit `exit`, hence the hook).
 */
export interface TestResources {
  readonly dirs: Set<string>;
  readonly nodes: Set<{ stop(): Promise<void> }>;
  /** Stops every tracked node, then removes every tracked folder; errors of one do not stop the rest. */
  cleanup(): Promise<void>;
}

export const TEST_RESOURCES = Symbol.for('switchyard.testing.resources');

export function testResources(): TestResources {
  const g = globalThis as unknown as Record<symbol, TestResources | undefined>;
  const existing = g[TEST_RESOURCES];
  if (existing) return existing;
  const resources: TestResources = {
    dirs: new Set(),
    nodes: new Set(),
    async cleanup() {
      // All at once: a plugin's stop tap may take its full lifecycle timeout, and the hook has one bound.
      const nodes = [...resources.nodes];
      resources.nodes.clear();
      const stopped = await Promise.allSettled(nodes.map((node) => node.stop()));
      const errors: unknown[] = stopped.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
      removeDirs(resources.dirs, errors);
      if (errors.length > 0) throw new AggregateError(errors, `cleaning up after the test: ${errors.map(String).join('; ')}`);
    },
  };
  g[TEST_RESOURCES] = resources;
  // A process that is not a vitest worker (a script, another runner) removes what is left at exit.
  process.once('exit', () => removeDirs(resources.dirs, []));
  return resources;
}

function removeDirs(dirs: Set<string>, errors: unknown[]): void {
  for (const dir of [...dirs]) {
    try {
      fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
      dirs.delete(dir);
    } catch (error) {
      errors.push(error);
    }
  }
}

/**
 * A fresh folder in the OS temp folder, removed after the test file (under
 * the repository's vitest setup) or at process exit, whichever comes first.
 * Remove it earlier with `fs.rmSync` as usual.
 */
export function tempDir(prefix = 'switchyard-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  testResources().dirs.add(dir);
  return dir;
}

/** Runs the registry's cleanup now: for test runners other than the repository's vitest setup (`afterAll(cleanupTestResources)`). */
export function cleanupTestResources(): Promise<void> {
  return testResources().cleanup();
}
