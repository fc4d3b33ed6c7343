/** Config: find and load (`loadConfig`), validate (`validateConfig`), and type (`defineConfig`). */
export { loadConfig, CONFIG_SEARCH_PLACES, type LoadConfigOptions } from './load';
export { validateConfig, type ValidatedConfig, type ValidateContext, type ResolvedPlugin } from './validate';
export {
  defineConfig,
  configSchema,
  type SwitchyardConfig,
  type SwitchyardConfigInput,
  type NodeConfig,
} from './schema';
