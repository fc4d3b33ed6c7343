// Lint rules that keep the architecture honest (run by `npm run lint`, part of `npm test`).
import tseslint from 'typescript-eslint';

const onlySdk = {
  patterns: [
    {
      group: ['@switchyard/core', '@switchyard/core/*'],
      message: 'Plugins import only @switchyard/sdk: what a third party can use is what we use. Add the export to the SDK.',
    },
    {
      group: ['@switchyard/plugin-*/src/*', '../../*/src/*'],
      message: "Import another plugin through its package's public entry, never its sources.",
    },
  ],
};

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/*.d.ts', 'bench/results/**'] },
  { linterOptions: { reportUnusedDisableDirectives: 'off' } },
  {
    files: ['**/*.ts', '**/*.mts'],
    languageOptions: { parser: tseslint.parser },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {},
  },
  {
    // Plugins (sources and tests) and examples: the SDK is the only way in.
    files: ['plugins/*/src/**/*.ts', 'plugins/*/test/**/*.ts', 'examples/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', onlySdk], '@typescript-eslint/no-restricted-imports': 'off' },
  },
  {
    // Core never knows about SIP or any plugin.
    files: ['core/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@switchyard/plugin-*', '@switchyard/sdk', '@switchyard/sdk/*'], message: 'Core depends on no plugin and not on the SDK (the SDK wraps core).' }] },
      ],
    },
  },
);
