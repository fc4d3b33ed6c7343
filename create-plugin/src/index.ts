/**
 * @switchyard/create-plugin — `npm create @switchyard/plugin <name>`: makes a
 * plugin package (monitor, alarm reaction, switchover strategy or arbiter)
 * that builds, tests and runs in a pair with no edits.
 */
export { runCreatePlugin, USAGE, type CliIo } from './cli';
export { generate, TEMPLATES, type PluginAnswers } from './generate';
export { KINDS, isKind, type Kind } from './kinds';
export { checkPackageName, checkKind, checkEventPrefix } from './names';
export { CreatePluginError, CREATE_PLUGIN_CODES, type CreatePluginCode } from './errors';
