import v8 from 'node:v8';

/**
 * V8's optimising compiler (TurboFan) held back while a node loads its
 * code. Loading some 500 modules makes the loader's and zod's functions
 * hot; TurboFan compiles them on background threads that the CLI and the
 * other node need on a 2-core machine, for code that runs once. The node
 * runtime gives it back once the modules and the config are loaded, before
 * its plugins start: a plugin's start can be bulk work (the SIP journal of
 * 1,000,000 bindings took 9.1 s to load without TurboFan, 2.3-3.4 s with
 * it). Functions that got hot meanwhile are optimised once it is back.
 *
 * Not held back when the node was started with `--no-opt` itself.
 */

let held = false;

/** Holds TurboFan back from now on (the node's entry point calls it before loading anything). */
export function holdOptimisingCompiler(): void {
  if (held || process.execArgv.includes('--no-opt')) return;
  v8.setFlagsFromString('--no-opt');
  held = true;
}

/** Lets TurboFan run again; calls after the first do nothing. */
export function resumeOptimisingCompiler(): void {
  if (!held) return;
  held = false;
  v8.setFlagsFromString('--opt');
}

/** Whether TurboFan is held back now. */
export function optimisingCompilerHeld(): boolean {
  return held;
}
