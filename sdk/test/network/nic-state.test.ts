import fs from 'node:fs';
import path from 'node:path';
import { canonicalAddress, judgeAddress, parseIpAddrShow } from '@switchyard/sdk/network';
import { describe, expect, it } from 'vitest';

/** `ip -json addr show` recorded with iproute2 6.1 (see fixtures/README.md). */
const recorded = (name: string) => parseIpAddrShow(fs.readFileSync(path.join(__dirname, 'fixtures', `${name}.json`), 'utf8'));

describe('the verdict on an address, from recorded `ip -json addr show` output', () => {
  it('up with a carrier: ok, on the interface that carries it', () => {
    expect(judgeAddress('198.51.100.77', recorded('ip-addr-up'))).toEqual({ ok: true, interface: 'va', failure: null, reason: null });
  });

  it('the peer of a veth down (the switch port): carrier lost, with the operational state', () => {
    expect(judgeAddress('198.51.100.77', recorded('ip-addr-no-carrier'))).toEqual({
      ok: false,
      interface: 'va',
      failure: 'no-carrier',
      reason: 'interface va has lost its carrier (state LOWERLAYERDOWN)',
    });
  });

  it('`ip link set va down`: administratively down', () => {
    expect(judgeAddress('198.51.100.77', recorded('ip-addr-admin-down'))).toMatchObject({ ok: false, interface: 'va', failure: 'link-down' });
  });

  it('address deleted: missing, naming the interface it was on; an IPv6 address is found in any spelling', () => {
    const links = recorded('ip-addr-v4-gone-v6-added');
    expect(judgeAddress('198.51.100.77', links, 'va')).toEqual({
      ok: false,
      interface: 'va',
      failure: 'address-missing',
      reason: 'address 198.51.100.77 is on no interface (was on va)',
    });
    expect(judgeAddress(canonicalAddress('2001:DB8:0:0::5')!, links)).toMatchObject({ interface: 'va', failure: 'link-down' });
  });

  it('loopback (operstate UNKNOWN) counts as carrying traffic', () => {
    expect(judgeAddress('127.0.0.1', recorded('ip-addr-up'))).toMatchObject({ ok: true, interface: 'lo' });
    expect(judgeAddress('::1', recorded('ip-addr-up'))).toMatchObject({ ok: true, interface: 'lo' });
  });

  it('an address whose duplicate-address detection failed is not carried', () => {
    const links = parseIpAddrShow(
      JSON.stringify([{ ifname: 'sip0', flags: ['UP', 'LOWER_UP'], operstate: 'UP', addr_info: [{ family: 'inet6', local: '2001:db8::9', dadfailed: true }] }]),
    );
    expect(judgeAddress('2001:db8::9', links)).toMatchObject({ ok: false, failure: 'address-missing' });
  });

  it('canonical addresses: brackets, zones and IPv6 spellings; names and garbage are refused', () => {
    expect(canonicalAddress('[2001:0DB8::0001]')).toBe('2001:db8::1');
    expect(canonicalAddress('fe80::1%eth0')).toBe('fe80::1');
    expect(canonicalAddress('192.0.2.1')).toBe('192.0.2.1');
    expect(canonicalAddress('sip.example.com')).toBeUndefined();
    expect(canonicalAddress('192.0.2.256')).toBeUndefined();
  });

  it('a document that is not an array is an error, not an empty host', () => {
    expect(() => parseIpAddrShow('{"error":1}')).toThrow(/JSON array/);
  });
});
