/** Config: find and load (`loadConfig`), validate (`validateConfig`), and type (`defineConfig`). */
export { loadConfig, CONFIG_SEARCH_PLACES, type LoadConfigOptions } from './load';
export {
  validateConfig,
  type ValidatedConfig,
  type ValidateContext,
  type ResolvedPlugin,
  type ResolvedAlarmReaction,
} from './validate';
export { SUPERVISOR_NODE } from './alarm-rules';
export { toConfigIssues, PARSE_OPTIONS } from './zod-issues';
export {
  defineConfig,
  configSchema,
  type SwitchyardConfig,
  type SwitchyardConfigInput,
  type NodeConfig,
  type AlarmsConfig,
  type AlarmConditionConfig,
} from './schema';
