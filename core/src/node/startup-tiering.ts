import v8 from 'node:v8';

/**
 * V8's optimising compiler (TurboFan) held back while a node starts.
 * Loading some 500 modules makes the loader's and zod's functions hot;
 * TurboFan compiles them on background threads that the CLI and the other
 * node need on a 2-core machine, for code that runs once. Held back until
 * the node's first role order (or {@link RESUME_AFTER_MS} after its start,
 * whichever comes first), `switchyard up` to both nodes running took
 * 30-35 ms less (bench `footprint`, up-to-running); the SIP path is
 * optimised from then on, before the standby warm-up and before load.
 * Functions that got hot meanwhile are optimised once it is back.
 *
 * Not held back when the node was started with `--no-opt` itself.
 */
export const RESUME_AFTER_MS = 1_000;

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
