import { fileURLToPath } from 'node:url';
import { defineConfig, type UserConfig } from 'vitest/config';

/**
 * The one vitest setup every package uses: reflect-metadata first (tsyringe
 * needs it), tests in `test/`, timeouts that fit real-process suites, and
 * the cleanup of what the SDK's test harness made after each test file.
 */
export function packageTestConfig(options: { testTimeout?: number; externalDist?: boolean } = {}): UserConfig {
  return defineConfig({
    test: {
      setupFiles: ['reflect-metadata', fileURLToPath(new URL('./vitest.setup.mts', import.meta.url))],
      include: ['test/**/*.test.ts'],
      testTimeout: options.testTimeout ?? 30_000,
      hookTimeout: 30_000,
      // Workspace packages' built CommonJS runs in Node as is: inlined by Vite, its `__exportStar`
      // helper would pick up the global one tslib defines.
      ...(options.externalDist ? { server: { deps: { external: [/\/dist\//] } } } : {}),
    },
  });
}
