import { defineConfig } from 'vitest/config';

// No setupFiles: @switchyard/sdk loads the reflect-metadata polyfill itself.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
  },
});
