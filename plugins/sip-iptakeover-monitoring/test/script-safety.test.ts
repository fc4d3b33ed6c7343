import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestNode, type ConfigInvalidError } from '@switchyard/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { VIP_STATUS_KEY, createSipIptakeoverMonitoringPlugin, type VipStatus } from '../src/index';
import { FakeHost } from './support/fake-host';
import { fakeSip } from './support/fake-sip';

const made: string[] = [];
const running: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) await r.stop();
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A script in a fresh folder (mode `folderMode`), with file mode `mode`. */
function script(mode = 0o755, folderMode = 0o755): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swy-vip-script-'));
  made.push(dir);
  fs.chmodSync(dir, folderMode);
  const file = path.join(dir, 'vip');
  fs.writeFileSync(file, '#!/bin/sh\nexit 0\n');
  fs.chmodSync(file, mode);
  return file;
}

function make(scripts: unknown, host = new FakeHost()) {
  return createTestNode({
    plugins: [fakeSip('198.51.100.1').plugin, [createSipIptakeoverMonitoringPlugin({ source: host.nics, runner: host }), { vip: '198.51.100.100/24', scripts }]],
  });
}

function refusal(scripts: unknown): ConfigInvalidError {
  try {
    make(scripts);
  } catch (error) {
    return error as never;
  }
  throw new Error('the options were accepted');
}

describe('custom VIP scripts pass the SDK script-safety check (keepalived-like)', () => {
  it('refuses at assembly a script others may write, one in a folder others may write, and a relative path, each with its key path and SWY_ERR_VIP_SCRIPT_UNSAFE', () => {
    const safe = script();
    const writable = script(0o757);
    const inOpenFolder = script(0o755, 0o777);
    const error = refusal({ add: [writable, 'add'], remove: ['vip-remove'] });
    expect(error.code).toBe('SWY_ERR_CONFIG_INVALID');
    expect(error.message).toContain(`Key "plugins.sip-iptakeover-monitoring.scripts.add[0]": VIP add script refused: ${writable} is writable by others (mode 0757); run chmod o-w on it [SWY_ERR_VIP_SCRIPT_UNSAFE]`);
    expect(error.message).toContain('Key "plugins.sip-iptakeover-monitoring.scripts.remove[0]": VIP remove script refused: "vip-remove" is not an absolute path; give the full path of the command [SWY_ERR_VIP_SCRIPT_UNSAFE]');
    expect(error.issues.map((i) => i.code)).toEqual(['SWY_ERR_VIP_SCRIPT_UNSAFE', 'SWY_ERR_VIP_SCRIPT_UNSAFE']);
    expect(refusal({ add: [safe], remove: [inOpenFolder] }).message).toContain(
      `scripts.remove[0]": VIP remove script refused: the folder ${path.dirname(inOpenFolder)} of ${inOpenFolder} is writable by others (mode 0777)`,
    );
    expect(() => make({ add: [safe, 'add'], remove: [safe, 'remove'] })).not.toThrow();
  });

  it('checks again before each run: a script made writable by others later is not run, and that is a VIP failure', async () => {
    const file = script();
    const host = new FakeHost();
    const n = make({ add: [file, 'add'], remove: [file, 'remove'] }, host);
    running.push(n);
    await n.start();
    fs.chmodSync(file, 0o757);
    await n.order('primary');
    expect(host.runs).toEqual([]);
    expect(n.engine.report()[VIP_STATUS_KEY] as VipStatus).toMatchObject({
      ok: false,
      problem: 'missing',
      lastScriptFailure: `add script: VIP add script ${file} refused: ${file} is writable by others (mode 0757); run chmod o-w on it`,
    });
  });
});
