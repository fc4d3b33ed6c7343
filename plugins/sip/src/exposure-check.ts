import net from 'node:net';

/** The plugin that authenticates SIP clients; a node reachable from other hosts should run it. */
export const DIGEST_AUTH_PLUGIN = 'sip-digest-auth';

/** One node's SIP section as `validate` sees it. */
export interface SipSectionView {
  index: number;
  nodeId: string;
  /** The node's `host`. */
  host: string;
  value: { host?: string; port: number };
}

/** A warning about one node's SIP section (path inside the section). */
export interface SipExposureWarning {
  index: number;
  path: readonly (string | number)[];
  message: string;
}

/**
 * True for an address only this host can reach: 127.0.0.0/8, ::1 (also
 * IPv4-mapped) and `localhost`. A wildcard (`0.0.0.0`, `::`) or any other
 * address or name is reachable from elsewhere.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (bare === 'localhost') return true;
  const v4 = bare.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
  if (net.isIPv4(v4)) return LOOPBACK.check(v4, 'ipv4');
  return net.isIPv6(bare) && LOOPBACK.check(bare, 'ipv6');
}

const LOOPBACK = new net.BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/**
 * `switchyard validate` warnings of the sip plugin: a node that serves SIP
 * on an address other hosts can reach, with no `sip-digest-auth` plugin
 * configured, lets anyone register bindings and read them back (the
 * registrar authenticates nobody by itself). Not an error: a deployment
 * behind an authenticating proxy may choose it.
 */
export function sipExposureWarnings(sections: readonly SipSectionView[], context: { plugins: readonly string[] }): SipExposureWarning[] {
  if (context.plugins.includes(DIGEST_AUTH_PLUGIN)) return [];
  return sections
    .filter((s) => !isLoopbackHost(s.value.host ?? s.host))
    .map((s) => ({
      index: s.index,
      path: s.value.host === undefined ? [] : ['host'],
      message:
        `node ${s.nodeId} serves SIP on ${s.value.host ?? s.host}:${s.value.port}, reachable from other hosts, and no "${DIGEST_AUTH_PLUGIN}" plugin is configured: ` +
        `anyone who reaches it can register and look up bindings; enable "${DIGEST_AUTH_PLUGIN}" (plugins: { "${DIGEST_AUTH_PLUGIN}": { … } }) or bind SIP to a loopback address`,
    }));
}
