import path from 'node:path';
import { ConfigInvalidError, validateConfig, type ConfigIssue } from '@switchyard/sdk';
import { describe, expect, it } from 'vitest';

const PACKAGE_DIR = path.resolve(__dirname, '..');

async function issuesOf(replication: unknown): Promise<ConfigIssue[]> {
  const raw = {
    cluster: 'test',
    nodes: [
      { id: 'sip-a', host: '127.0.0.1', haPort: 7471, priority: 100, sip: { port: 5080 } },
      { id: 'sip-b', host: '127.0.0.1', haPort: 7472, priority: 50, sip: { port: 5082 } },
    ],
    plugins: { sip: { replication } },
  };
  try {
    await validateConfig(raw, { configDir: PACKAGE_DIR });
  } catch (error) {
    if (error instanceof ConfigInvalidError) return [...error.issues];
    throw error;
  }
  return [];
}

describe('plugins.sip.replication, as `switchyard validate` judges it', () => {
  it("refuses onTimeout 'reject' in async mode at its key path, saying it needs sync", async () => {
    const issues = await issuesOf({ mode: 'async', onTimeout: 'reject' });
    expect(issues.map((i) => [i.path, i.message])).toEqual([
      ['plugins.sip.replication.onTimeout', "replication.onTimeout 'reject' needs replication.mode 'sync' (async mode never waits for the backup)"],
    ]);
  });

  it("accepts onTimeout 'reject' with sync, and either mode with the default onTimeout", async () => {
    expect(await issuesOf({ mode: 'sync', onTimeout: 'reject' })).toEqual([]);
    expect(await issuesOf({ mode: 'async' })).toEqual([]);
    expect(await issuesOf({ mode: 'sync', syncTimeout: 1 })).toEqual([]);
  });
});
