import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/** Path of the node entry point, next to this file's compiled folder. */
export const NODE_MAIN = path.resolve(__dirname, '..', 'node', 'main.js');

/**
 * V8 flags of a node process. `--expose-gc`: the node returns memory after
 * bulk work (MemoryRelease). `--max-semi-space-size=4` (MiB, V8's default 16):
 * a smaller young generation. Measured with 100,000 bindings (bench
 * `catch-up`, `footprint`): 117 and 130 MiB of RSS a node instead of 146
 * and 151, with the same REGISTER and OPTIONS throughput (17,315 / 17,308
 * / 23,601 calls/s against 17,281 / 18,046 / 23,650 in the run before) and
 * the same replication lag (p99 8.1–8.8 ms against 8.0–8.6, max 31–37 ms
 * against 31–68). `--min-semi-space-size=4`: that size from the start
 * rather than grown from 1 MiB, so loading the modules takes fewer
 * scavenges (bench `footprint`, up-to-running: 20-25 ms less; RSS under
 * load unchanged, 118.7 and 131.9 MiB).
 */
export const NODE_V8_FLAGS = ['--expose-gc', '--max-semi-space-size=4', '--min-semi-space-size=4'];

/** How a node process is forked. */
export function forkNode(entry = NODE_MAIN): ChildProcess {
  return fork(entry, [], { execArgv: [...process.execArgv, ...NODE_V8_FLAGS], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
}

/**
 * Node processes forked ahead of need. A node spends most of its start
 * loading modules (some 500 files); forked as the CLI starts, the nodes
 * load them while the CLI loads its own and checks the config, on the
 * other core, instead of after. A preforked node waits for its `init`
 * message (nothing identifies it before); one not taken is killed by
 * {@link discardPreforked}, and exits by itself if this process goes away
 * (the IPC channel closes).
 */
const spare: ChildProcess[] = [];

/**
 * Forks `count` nodes for later use (see {@link takePreforked}); they do
 * not keep this process alive. Returns them (tests). `entry`: tests.
 */
export function preforkNodes(count: number, entry = NODE_MAIN): readonly ChildProcess[] {
  const forked: ChildProcess[] = [];
  for (let i = 0; i < count; i++) {
    const child = forkNode(entry);
    child.on('error', () => undefined); // a failed fork is simply not used
    child.unref();
    child.channel?.unref();
    for (const stream of [child.stdout, child.stderr]) (stream as { unref?: () => void } | null)?.unref?.();
    spare.push(child);
    forked.push(child);
  }
  return forked;
}

/** A preforked node of `entry`, still alive and connected, now kept alive again; undefined when none is left. */
export function takePreforked(entry = NODE_MAIN): ChildProcess | undefined {
  for (let i = 0; i < spare.length; ) {
    const child = spare[i]!;
    if (child.exitCode !== null || child.signalCode !== null || !child.connected) {
      spare.splice(i, 1); // gone: of no use
      continue;
    }
    if (!child.spawnargs.includes(entry)) {
      i++;
      continue;
    }
    spare.splice(i, 1);
    child.ref();
    child.channel?.ref();
    for (const stream of [child.stdout, child.stderr]) (stream as { ref?: () => void } | null)?.ref?.();
    return child;
  }
  return undefined;
}

/** Kills the preforked nodes nobody took (the command failed, or needed fewer). */
export function discardPreforked(): void {
  for (const child of spare.splice(0)) child.kill('SIGKILL');
}

/** How many nodes a command line will run on this host: `up` two, `node` one; none for anything else or for help. */
export function nodesFor(argv: readonly string[]): number {
  const args = argv.slice(2);
  if (args.some((a) => a === '-h' || a === '--help' || a === 'help')) return 0;
  const command = args.find((a) => !a.startsWith('-'));
  return command === 'up' ? 2 : command === 'node' ? 1 : 0;
}
