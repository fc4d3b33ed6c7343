import { aorKey } from '../message';

/** Ports a SIP URI means when it names none (RFC 3261 §19.1.2). */
const DEFAULT_PORTS: Readonly<Record<string, string>> = { sip: ':5060', sips: ':5061' };

/**
 * The canonical address-of-record of a To URI or Request-URI (RFC 3261
 * §10.3 step 5): scheme, user (escapes canonicalised) and lower-cased host;
 * the port only when it is not the scheme's default; no parameters or
 * headers. `sip:Alice@Example.COM:5060;transport=tcp` → `sip:Alice@example.com`.
 * Undefined when the URI is not a valid sip, sips or tel URI.
 */
export function canonicalAor(uri: string): string | undefined {
  const key = aorKey(uri);
  if (key === undefined) return undefined;
  const scheme = key.slice(0, key.indexOf(':'));
  const defaultPort = DEFAULT_PORTS[scheme];
  return defaultPort !== undefined && key.endsWith(defaultPort) ? key.slice(0, -defaultPort.length) : key;
}
