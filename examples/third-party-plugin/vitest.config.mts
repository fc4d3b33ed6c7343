import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    // Inside the Switchyard repository the SDK is a workspace link to built CommonJS: let Node load it
    // as is (an installed package under node_modules is external anyway). No setupFiles: the SDK loads
    // reflect-metadata itself.
    server: { deps: { external: [/\/dist\//] } },
  },
});
