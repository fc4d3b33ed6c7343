import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    setupFiles: ['reflect-metadata'],
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 30_000,
    server: {
      deps: {
        // The workspace packages' built CommonJS (core, sdk, the SIP plugin) runs in Node as is, as in
        // production: inlined by Vite, its `__exportStar` helper picks up the global one tslib defines.
        external: [/\/dist\//],
      },
    },
  },
});
