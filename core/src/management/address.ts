/** `host:port` as people and URLs write it: IPv6 literals need brackets. */

export function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

export function hostPort(host: string, port: number): string {
  return `${urlHost(host)}:${port}`;
}

/**
 * Whether a listener on `host` is reachable from this machine only:
 * `localhost`, 127.0.0.0/8, `::1` (and ::ffff:127.x). Wildcards (`0.0.0.0`,
 * `::`), other addresses and names count as reachable from the network.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice('::ffff:'.length) : h;
  const octets = v4.split('.');
  return octets.length === 4 && octets[0] === '127' && octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) <= 255);
}
