import fs from 'node:fs';
import path from 'node:path';
import { ConfigInvalidError, validateConfig, type ConfigIssue } from '@switchyard/sdk';
import { createTestNode } from '@switchyard/sdk';
import { beforeAll, describe, expect, it } from 'vitest';
import { passCheckOptionsSchema, probeTarget, sipPassCheckPlugin } from '../src/index';
import { FakeSipNetwork } from './support/fake-sip';

const PACKAGE_DIR = path.resolve(__dirname, '..');

/** A whole single-host config with the real SIP plugin and sip-pass-check, as an operator writes it. */
function config(passCheck: unknown, plugins: Record<string, unknown> = { sip: true }) {
  return {
    cluster: 'test',
    nodes: [
      { id: 'sip-a', host: '127.0.0.1', haPort: 7471, priority: 100, sip: { port: 5080 } },
      { id: 'sip-b', host: '127.0.0.1', haPort: 7472, priority: 50, sip: { port: 5082 } },
    ],
    plugins: { ...plugins, 'sip-pass-check': passCheck },
  };
}

async function issuesOf(raw: unknown): Promise<ConfigIssue[]> {
  try {
    await validateConfig(raw, { configDir: PACKAGE_DIR });
  } catch (error) {
    if (error instanceof ConfigInvalidError) return [...error.issues];
    throw error;
  }
  return [];
}

describe('sip-pass-check options', () => {
  beforeAll(() => {
    // `switchyard` loads the plugin by name from its package, i.e. from dist/.
    const built = path.join(PACKAGE_DIR, 'dist/index.js');
    if (!fs.existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` (or \`npx tsc -b plugins/sip-pass-check\`) first`);
  });

  it('accepts true (no device), and devices with sip: URIs', async () => {
    expect(await issuesOf(config(true))).toEqual([]);
    const ok = await validateConfig(config({ serviceDevices: [{ uri: 'sip:gw1@127.0.0.1:5070', oosCheck: 0.5, oosForce: 30 }] }), { configDir: PACKAGE_DIR });
    expect(ok.plugins.find((p) => p.name === 'sip-pass-check')?.options).toEqual({
      serviceDevices: [{ uri: 'sip:gw1@127.0.0.1:5070', oosCheck: 0.5, oosForce: 30 }],
    });
    expect(passCheckOptionsSchema.parse({})).toEqual({ serviceDevices: [] });
  });

  it('names the key path of every problem', async () => {
    const issues = await issuesOf(
      config({
        serviceDevices: [
          { uri: 'sip:gw1@127.0.0.1:5070', oosCheck: 1, oosForce: 0 },
          { uri: 'tel:+15551234', oosCheck: -1, oosForce: 'soon' },
          { uri: 'sip:gw1@127.0.0.1:5070', oosCheck: 86_401, oosForce: 5, oos_force: 5 },
        ],
      }),
    );
    const at = (p: string) => issues.filter((i) => i.path === `plugins.sip-pass-check.serviceDevices${p}`).map((i) => i.message);
    expect(at('[0].oosForce')).toEqual([expect.stringMatching(/oosForce \(oos-force\) must be greater than 0/)]);
    expect(at('[1].uri')).toEqual([expect.stringMatching(/sip: URI with a host/)]);
    expect(at('[1].oosCheck')).toEqual([expect.stringMatching(/oosCheck \(oos-check\) must be greater than 0/)]);
    expect(at('[1].oosForce')).toEqual([expect.stringMatching(/oosForce \(oos-force\) must be a number of seconds/)]);
    expect(at('[2].oosCheck')).toEqual([expect.stringMatching(/at most 86400 seconds/)]);
    expect(issues.some((i) => i.path.startsWith('plugins.sip-pass-check.serviceDevices[2]') && /oos_force/.test(i.message))).toBe(true);
    expect(issues.every((i) => i.code === 'SWY_ERR_PLUGIN_OPTIONS')).toBe(true);
  });

  it('refuses a device listed twice and an unknown option, at their paths', async () => {
    const twice = await issuesOf(
      config({
        serviceDevices: [
          { uri: 'sip:gw@10.0.0.1', oosCheck: 1, oosForce: 1 },
          { uri: 'sip:gw@10.0.0.1', oosCheck: 2, oosForce: 2 },
        ],
      }),
    );
    expect(twice).toEqual([expect.objectContaining({ path: 'plugins.sip-pass-check.serviceDevices[1].uri', message: expect.stringContaining('serviceDevices[0]') })]);
    const unknown = await issuesOf(config({ devices: [] }));
    expect(unknown).toEqual([expect.objectContaining({ path: 'plugins.sip-pass-check.devices', message: expect.stringContaining('serviceDevices') })]);
  });

  it('requires the SIP plugin', async () => {
    const issues = await issuesOf(config(true, {}));
    expect(issues).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: 'plugins.sip-pass-check.requires', code: 'SWY_ERR_PLUGIN_REQUIREMENT', message: expect.stringContaining('requires "sip"') })]),
    );
  });

  it('fails a test node the way it fails a config', () => {
    const network = new FakeSipNetwork();
    expect(() =>
      createTestNode({ plugins: [network.plugin, [sipPassCheckPlugin, { serviceDevices: [{ uri: 'sip:gw@10.0.0.1', oosCheck: 1, oosForce: 0 }] }]] }),
    ).toThrow(/Key "plugins\.sip-pass-check\.serviceDevices\[0\]\.oosForce": oosForce \(oos-force\) must be greater than 0/);
  });

  it('probes the host and port of the URI (default 5060, udp; ;transport=tcp; IPv6 without brackets)', () => {
    expect(probeTarget('sip:gw1@127.0.0.1:5070')).toEqual({ host: '127.0.0.1', port: 5070, transport: 'udp' });
    expect(probeTarget('sip:pbx.example.com')).toEqual({ host: 'pbx.example.com', port: 5060, transport: 'udp' });
    expect(probeTarget('sip:gw@[::1]:5080;transport=TCP')).toEqual({ host: '::1', port: 5080, transport: 'tcp' });
    for (const bad of ['sips:gw@10.0.0.1', 'tel:+15551234', 'gw@10.0.0.1', 'sip:gw@10.0.0.1:0', 'sip:gw@10.0.0.1;transport=sctp', 'sip:']) {
      expect(probeTarget(bad), bad).toBeUndefined();
    }
  });
});
