import type { Binding } from '../src/store';

/** A binding of `aor` / `contact` expiring `ttl` seconds after `now`. */
export function binding(now: number, over: Partial<Binding> & { ttl?: number } = {}): Binding {
  const { ttl = 3600, ...rest } = over;
  return {
    aor: 'sip:alice@example.com',
    contact: 'sip:alice@192.0.2.10:5060',
    expiresAt: now + ttl * 1000,
    callId: 'call-1',
    cseq: 1,
    source: { address: '192.0.2.10', port: 5060, transport: 'udp' },
    updatedAt: now,
    ...rest,
  };
}
