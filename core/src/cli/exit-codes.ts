import { ConfigInvalidError, SwitchyardError, describeError } from '../errors';

/** 0 ok, 1 runtime failure, 2 bad config or usage. */
export const ExitCode = Object.freeze({ OK: 0, RUNTIME: 1, USAGE: 2 });

const USAGE_CODES = new Set([
  'SWY_ERR_CONFIG_NOT_FOUND',
  'SWY_ERR_CONFIG_LOAD',
  'SWY_ERR_CONFIG_INVALID',
  'SWY_ERR_PLUGIN_NOT_FOUND',
  'SWY_ERR_PLUGIN_INVALID',
  'SWY_ERR_PLUGIN_OPTIONS',
  'SWY_ERR_PLUGIN_REQUIREMENT',
  'SWY_ERR_USAGE',
  'SWY_ERR_NODE_NOT_HERE',
]);

/** Prints an error the way every command does and returns the exit code it deserves. */
export function reportError(error: unknown, err: NodeJS.WritableStream = process.stderr): number {
  if (error instanceof ConfigInvalidError) {
    err.write(`switchyard: ${error.message}\n`);
    return ExitCode.USAGE;
  }
  if (error instanceof SwitchyardError) {
    err.write(`switchyard: ${error.message} [${error.code}]\n  ${error.remedy}\n`);
    if (error.cause) err.write(`  cause: ${describeError(error.cause)}\n`);
    return USAGE_CODES.has(error.code) ? ExitCode.USAGE : ExitCode.RUNTIME;
  }
  const coded = error as { code?: unknown; remedy?: unknown; cause?: unknown } | null;
  if (error instanceof Error && typeof coded?.code === 'string' && coded.code.startsWith('SWY_ERR_')) {
    // A plugin's own coded error (e.g. an alarm reaction refusing an unsafe command).
    err.write(`switchyard: ${error.message} [${coded.code}]\n`);
    if (typeof coded.remedy === 'string') err.write(`  ${coded.remedy}\n`);
    if (coded.cause) err.write(`  cause: ${describeError(coded.cause)}\n`);
    return ExitCode.RUNTIME;
  }
  err.write(`switchyard: ${describeError(error)}\n`);
  return ExitCode.RUNTIME;
}
