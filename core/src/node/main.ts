#!/usr/bin/env node
// First: TurboFan held back while the modules load (until the plugins start).
import './hold-tiering';
import 'reflect-metadata';
// What every plugin loads (through @switchyard/sdk): loaded while the node waits for `init` (a preforked one, long before it).
import '../index';
import { describeError, isSwitchyardError } from '../errors';
import { isSupervisorMessage, type NodeMessage, type SupervisorMessage } from '../ipc/messages';
import { NodeRuntime } from './node-runtime';

/**
 * Entry point of a node process forked by `switchyard up`. It waits for the
 * supervisor's `init` message (the secret never travels in argv or env).
 */
function send(message: NodeMessage): void {
  if (process.connected) process.send?.(message, undefined, {}, () => undefined);
}

let failed = false;

/** Reports a fatal error once (to the supervisor, else to stderr) and exits 1. */
function fatal(error: unknown): void {
  if (failed) return;
  failed = true;
  const code = isSwitchyardError(error) ? error.code : 'SWY_ERR_NODE_FATAL';
  if (process.connected) send({ t: 'fatal', code, message: describeError(error) });
  else process.stderr.write(`switchyard node: ${describeError(error)} [${code}]\n`);
  // Let the IPC message flush before exiting.
  setTimeout(() => process.exit(1), 50);
}

if (!process.send) {
  process.stderr.write('switchyard node: this entry point is started by `switchyard up`, not by hand.\n');
  process.exit(2);
}

let runtime: NodeRuntime | null = null;
/** Messages (and the socket handle one may carry) that came before the runtime started. */
const queue: [SupervisorMessage, unknown][] = [];

process.on('message', (raw: unknown, handle: unknown) => {
  if (!isSupervisorMessage(raw)) return;
  if (raw.t === 'init' && !runtime) {
    runtime = new NodeRuntime(raw, send);
    runtime
      .start()
      .then(() => {
        for (const [m, h] of queue.splice(0)) void runtime?.handle(m, h);
      })
      .catch(fatal);
    return;
  }
  if (!runtime) {
    queue.push([raw, handle]);
    return;
  }
  void runtime.handle(raw, handle).then(() => {
    if (raw.t === 'stop') process.exit(0);
  });
});

const shutdown = (reason: string) => () => {
  if (!runtime) process.exit(0);
  void runtime.stop(reason).then(() => process.exit(0));
};
// The supervisor went away: log it (01-10046) and stop cleanly rather than serve unsupervised.
process.on('disconnect', () => {
  // stdout/stderr were pipes to the supervisor: a late write must not turn this clean stop into a crash.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
  if (!runtime) process.exit(0);
  void runtime.supervisorLost().then(() => process.exit(0));
});
process.on('SIGTERM', shutdown('SIGTERM'));
process.on('SIGINT', () => undefined); // Ctrl-C reaches the whole group; the supervisor sends `stop`.
process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);
