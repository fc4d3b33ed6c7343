import fs from 'node:fs';
import path from 'node:path';
import { definePlugin } from '@switchyard/core';
import { SipTokens, type SipApi } from '@switchyard/plugin-sip';

/**
 * A third-party-style plugin used by the replication-lag benchmark: it
 * records, on each node, when every binding change happened (local on the
 * primary, replica on the backup), with a high-resolution wall clock shared
 * by processes on one host. Written on stop to `<dataDir>/trace.jsonl`.
 */
export default definePlugin({
  name: 'bench-trace',
  version: '0.1.0',
  requires: { plugins: ['sip'] },
  apply(engine) {
    const sip = engine.services.resolve<SipApi>(SipTokens.Api);
    const lines: string[] = [];
    const now = () => performance.timeOrigin + performance.now();
    engine.hooks.start.tapPromise('trace', async () => {
      sip.bindings.onChange((change, origin) => {
        const aor = change.op === 'upsert' ? change.binding.aor : change.aor;
        lines.push(`${now().toFixed(3)} ${origin} ${change.op} ${aor}`);
      });
    });
    engine.hooks.stop.tapPromise('trace', async () => {
      fs.mkdirSync(engine.dataDir, { recursive: true });
      fs.writeFileSync(path.join(engine.dataDir, 'trace.txt'), lines.join('\n'));
    });
  },
});
