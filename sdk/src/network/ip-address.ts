import net from 'node:net';

/**
 * The canonical text of an IP address literal (IPv6 compressed and in lower
 * case, as `ip -json` prints it), or undefined when `text` is not an IPv4 or
 * IPv6 literal. A zone (`fe80::1%eth0`) and brackets are dropped.
 */
export function canonicalAddress(text: string): string | undefined {
  const bare = text.trim().replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  const family = net.isIP(bare);
  if (family === 4) return bare;
  if (family === 6) return new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  return undefined;
}

/** Whether `address` is the unspecified address (`0.0.0.0`, `::`): it names no interface. */
export function isUnspecified(address: string): boolean {
  const canonical = canonicalAddress(address);
  return canonical === '0.0.0.0' || canonical === '::';
}
