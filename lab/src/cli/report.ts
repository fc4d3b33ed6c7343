import { ConfigInvalidError, SwitchyardError, describeError } from '@switchyard/core';
import { LabError, type LabErrorCode } from '../errors';

/** 0 ok, 1 runtime failure, 2 bad argument or config. */
export const ExitCode = Object.freeze({ OK: 0, RUNTIME: 1, USAGE: 2 });

const USAGE_CODES = new Set<LabErrorCode>(['SWY_ERR_LAB_BAD_ARGUMENT', 'SWY_ERR_LAB_CONFIG']);

/** Prints an error with its code and remedy; returns the exit code it deserves. */
export function reportError(error: unknown, err: NodeJS.WritableStream = process.stderr): number {
  if (error instanceof ConfigInvalidError) {
    err.write(`switchyard-lab: ${error.message}\n`);
    return ExitCode.USAGE;
  }
  if (error instanceof LabError || error instanceof SwitchyardError) {
    err.write(`switchyard-lab: ${error.message} [${error.code}]\n  ${error.remedy}\n`);
    if (error.cause) err.write(`  cause: ${describeError(error.cause)}\n`);
    if (error instanceof SwitchyardError) return error.code.startsWith('SWY_ERR_CONFIG') ? ExitCode.USAGE : ExitCode.RUNTIME;
    return USAGE_CODES.has(error.code) ? ExitCode.USAGE : ExitCode.RUNTIME;
  }
  err.write(`switchyard-lab: ${describeError(error)}\n`);
  return ExitCode.RUNTIME;
}
