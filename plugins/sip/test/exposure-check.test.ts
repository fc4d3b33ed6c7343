import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { validateConfig } from '@switchyard/sdk';
import { isLoopbackHost, sipExposureWarnings, type SipSectionView } from '../src/exposure-check';

const node = (index: number, host: string, sipHost?: string): SipSectionView => ({
  index,
  nodeId: `sip-${index}`,
  host,
  value: sipHost === undefined ? { port: 5060 } : { host: sipHost, port: 5060 },
});

describe('validate warns when SIP is reachable from other hosts without sip-digest-auth', () => {
  it('warns for each node on a non-loopback or wildcard address, naming the node, the address and the fix', () => {
    const warnings = sipExposureWarnings([node(0, '192.0.2.10'), node(1, '127.0.0.1', '0.0.0.0'), node(2, '127.0.0.1')], { plugins: ['sip'] });
    expect(warnings.map((w) => [w.index, w.path])).toEqual([
      [0, []],
      [1, ['host']],
    ]);
    expect(warnings[0]!.message).toMatch(/node sip-0 serves SIP on 192\.0\.2\.10:5060.*no "sip-digest-auth" plugin.*enable "sip-digest-auth"/);
  });

  it('says nothing when sip-digest-auth is configured, or when every node is on loopback', () => {
    expect(sipExposureWarnings([node(0, '192.0.2.10')], { plugins: ['sip', 'sip-digest-auth'] })).toEqual([]);
    expect(sipExposureWarnings([node(0, '127.0.0.1'), node(1, '10.0.0.1', '::1'), node(2, 'localhost')], { plugins: ['sip'] })).toEqual([]);
  });

  it('knows loopback: 127.0.0.0/8, ::1 in any spelling, IPv4-mapped loopback; not wildcards or other addresses', () => {
    for (const host of ['127.0.0.1', '127.9.8.7', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', 'localhost']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '10.0.0.1', '::2', 'sip.example.com', '128.0.0.1']) expect(isLoopbackHost(host), host).toBe(false);
  });

  it('is what `switchyard validate` reports for a config serving SIP on 0.0.0.0 without sip-digest-auth (a warning, not an error)', async () => {
    const config = {
      cluster: 'test',
      nodes: [
        { id: 'sip-a', host: '127.0.0.1', haPort: 7471, priority: 100, sip: { host: '0.0.0.0', port: 5080 } },
        { id: 'sip-b', host: '127.0.0.1', haPort: 7472, priority: 50, sip: { port: 5082 } },
      ],
      plugins: { sip: true },
    };
    const validated = await validateConfig(config, { configDir: path.resolve(__dirname, '..') });
    expect(validated.warnings.map((w) => w.path)).toEqual(['nodes[0].sip.host']);
    expect(validated.warnings[0]!.message).toMatch(/node sip-a serves SIP on 0\.0\.0\.0:5080, reachable from other hosts, and no "sip-digest-auth" plugin/);
  });
});
