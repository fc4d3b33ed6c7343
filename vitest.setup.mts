import { afterAll } from 'vitest';

/**
 * After every test file, passed or failed: stops the SDK test nodes still
 * running and removes the temp folders the harness made (`createTestNode`,
 * `tempDir` of `@switchyard/sdk/testing`). Vitest's workers never emit
 * `exit`, so the harness's exit hook alone left them in /tmp.
 *
 * Reached through a global symbol, not an import: core's suites do not load
 * the SDK, and the SDK's own suites load its sources beside its build.
 * Registered first, this hook runs after the file's own `afterAll`s.
 */
afterAll(async () => {
  const resources = (globalThis as Record<symbol, { cleanup(): Promise<void> } | undefined>)[Symbol.for('switchyard.testing.resources')];
  await resources?.cleanup();
});
