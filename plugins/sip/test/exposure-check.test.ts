import { describe, expect, it } from 'vitest';
import sipPlugin from '../src/index';
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

  it('is the sip plugin’s node-section warning', () => {
    const warn = (sipPlugin.nodeOptions as unknown as { warn?: typeof sipExposureWarnings }).warn;
    expect(warn?.([node(0, '192.0.2.10')], { plugins: ['sip'] })).toHaveLength(1);
  });
});
