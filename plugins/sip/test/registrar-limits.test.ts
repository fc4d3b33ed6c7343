import fc from 'fast-check';
import { ManualClock } from '@switchyard/sdk';
import { describe, expect, it } from 'vitest';
import { contactMatchKey, formatUri, headerValues, parseMessage, serializeMessage, uriEquals, type SipRequest } from '../src/message';
import { Registrar } from '../src/registrar';
import { routeRequest } from '../src/request-router';
import { ContactStore } from '../src/store';
import { AnswerBudget, buildResponse, type RemoteAddress } from '../src/transport';
import { sipUri } from './message-arbitraries';

const UDP: RemoteAddress = { address: '192.0.2.10', port: 5060, transport: 'udp' };
const TCP: RemoteAddress = { address: '192.0.2.10', port: 40000, transport: 'tcp' };
const SOURCE = { address: UDP.address, port: UDP.port, transport: 'udp' as const };

let cseq = 0;

/** A REGISTER (or, with `method`, another request) as the parser gives it. */
function request(opts: { user?: string; contacts?: string[]; callId?: string; method?: string; expires?: number } = {}): SipRequest {
  const user = opts.user ?? 'alice';
  const method = opts.method ?? 'REGISTER';
  cseq += 1;
  const text = [
    `${method} sip:${method === 'REGISTER' ? '' : `${user}@`}example.com SIP/2.0`,
    'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-l1;rport',
    'Max-Forwards: 70',
    `To: <sip:${user}@example.com>`,
    `From: <sip:${user}@example.com>;tag=f1`,
    `Call-ID: ${opts.callId ?? `limits-${cseq}`}`,
    `CSeq: ${cseq} ${method}`,
    ...(opts.contacts ?? []).map((c) => `Contact: ${c}`),
    ...(opts.expires === undefined ? [] : [`Expires: ${opts.expires}`]),
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  const parsed = parseMessage(Buffer.from(text));
  if (!parsed.ok || parsed.message.kind !== 'request') throw new Error(`test request does not parse: ${JSON.stringify(parsed)}`);
  return parsed.message;
}

const contact = (i: number, pad = 0) => `<sip:${'u'.repeat(pad)}dev${i}@192.0.2.${(i % 250) + 1}:${5000 + i}>`;
const contactsOf = (headers: { name: string; value: string }[]) => headers.filter((h) => h.name === 'Contact');

function registrar(options: { maxContactsPerAor?: number; maxBindings?: number } = {}) {
  const clock = new ManualClock();
  const store = new ContactStore(clock);
  return { clock, store, registrar: new Registrar({ store, clock, ...options }) };
}

describe('registrar limits', () => {
  it('holds at most maxContactsPerAor contacts: the next one gets 403 with a Warning, refreshes and removals still pass', () => {
    const { store, registrar: r } = registrar({ maxContactsPerAor: 3 });
    for (let i = 0; i < 3; i++) expect(r.handle(request({ contacts: [contact(i)] }), SOURCE).status).toBe(200);
    const over = r.handle(request({ contacts: [contact(3)] }), SOURCE);
    expect(over).toMatchObject({ status: 403, changes: [], refused: { kind: 'contacts-per-aor', aor: 'sip:alice@example.com', count: 4, limit: 3 } });
    expect(over.headers).toEqual([{ name: 'Warning', value: expect.stringMatching(/^399 switchyard "at most 3 contacts per address-of-record/) }]);
    expect(store.bindings('sip:alice@example.com').map((b) => b.contact)).not.toContain(contact(3).slice(1, -1));
    expect(store.count).toBe(3);
    // a refresh of a stored contact and a swap (remove one, add one) are not growth
    expect(r.handle(request({ contacts: [contact(1)] }), SOURCE).status).toBe(200);
    expect(r.handle(request({ contacts: [`${contact(0)};expires=0`, contact(3)] }), SOURCE).status).toBe(200);
    expect(store.count).toBe(3);
  });

  it('refuses a REGISTER carrying more contacts than an AOR may hold, before storing any', () => {
    const { store, registrar: r } = registrar({ maxContactsPerAor: 10 });
    // 400 contacts on 4 comma-separated Contact lines (a line holds at most 8 KiB)
    const lines = Array.from({ length: 4 }, (_, line) => Array.from({ length: 100 }, (_, i) => contact(line * 100 + i)).join(', '));
    const flood = r.handle(request({ contacts: lines }), SOURCE);
    expect(flood).toMatchObject({ status: 403, refused: { kind: 'contacts-per-aor', count: 400, limit: 10 } });
    expect(store.count).toBe(0);
  });

  it('holds at most maxBindings in all: a new binding past it gets 503 with Retry-After; refreshing is still allowed', () => {
    const { store, registrar: r } = registrar({ maxBindings: 2 });
    expect(r.handle(request({ user: 'a', contacts: [contact(1)] }), SOURCE).status).toBe(200);
    expect(r.handle(request({ user: 'b', contacts: [contact(2)] }), SOURCE).status).toBe(200);
    const full = r.handle(request({ user: 'c', contacts: [contact(3)] }), SOURCE);
    expect(full).toMatchObject({ status: 503, refused: { kind: 'bindings', count: 2, limit: 2 } });
    expect(full.headers).toEqual(expect.arrayContaining([{ name: 'Retry-After', value: '60' }]));
    expect(store.count).toBe(2);
    expect(r.handle(request({ user: 'a', contacts: [contact(1)] }), SOURCE).status).toBe(200);
  });

  it('refuses long Contact URIs and Call-IDs (a binding’s memory stays bounded)', () => {
    const { store, registrar: r } = registrar();
    expect(r.handle(request({ contacts: [contact(1, 1100)] }), SOURCE)).toMatchObject({ status: 400, reason: expect.stringMatching(/Contact URI over 1024 bytes/) });
    expect(r.handle(request({ contacts: [contact(1)], callId: 'x'.repeat(300) }), SOURCE)).toMatchObject({ status: 400, reason: expect.stringMatching(/Call-ID/) });
    expect(store.count).toBe(0);
  });
});

describe('answers that must fit the transport', () => {
  // A small UDP limit stands in for the 65,507-byte datagram: the same code path, smaller fixtures.
  const small = (req: SipRequest, remote = UDP) => AnswerBudget.for(req, remote, 1500);

  it('never stores a binding whose 200 would not fit: 513, nothing stored; the same REGISTER over TCP is stored', () => {
    const { store, registrar: r } = registrar({ maxContactsPerAor: 10 });
    const contacts = Array.from({ length: 8 }, (_, i) => contact(i, 200));
    const req = request({ contacts });
    const outcome = r.handle(req, SOURCE, small(req));
    expect(outcome).toMatchObject({ status: 513, changes: [], refused: { kind: 'too-large', limit: 1500 } });
    expect(store.count).toBe(0);
    // the refusal itself fits
    expect(serializeMessage(buildResponse(req, outcome.status, outcome.reason, { remote: UDP, headers: outcome.headers })).length).toBeLessThanOrEqual(1500);
    const overTcp = request({ contacts });
    expect(r.handle(overTcp, { ...SOURCE, transport: 'tcp' }, AnswerBudget.for(overTcp, TCP, 1500)).status).toBe(200);
    expect(store.count).toBe(8);
  });

  it('a query whose answer would not fit UDP gets 513 (not a failed send); over TCP it gets every binding', () => {
    const { registrar: r } = registrar();
    const stored = request({ contacts: Array.from({ length: 8 }, (_, i) => contact(i, 200)) });
    expect(r.handle(stored, SOURCE).status).toBe(200);
    const query = request();
    expect(r.handle(query, SOURCE, small(query)).status).toBe(513);
    const tcpQuery = request();
    expect(contactsOf(r.handle(tcpQuery, SOURCE, AnswerBudget.for(tcpQuery, TCP)).headers)).toHaveLength(8);
  });

  it('a 200 that fits is as measured: the serialised answer is within the budget', () => {
    const { registrar: r } = registrar();
    const req = request({ contacts: Array.from({ length: 4 }, (_, i) => contact(i, 150)) });
    const budget = small(req);
    const outcome = r.handle(req, SOURCE, budget);
    expect(outcome.status).toBe(200);
    const wire = serializeMessage(buildResponse(req, 200, 'OK', { remote: UDP, headers: outcome.headers }));
    expect(wire.length).toBeLessThanOrEqual(budget.sizeWith(outcome.headers));
  });

  it('a redirect names at most maxContactsPerAor contacts, best first, cut to what fits, and stays a valid 302', () => {
    const { clock, store, registrar: r } = registrar({ maxContactsPerAor: 10 });
    // 300 bindings, as a store filled before the cap (or by replication) might hold
    for (let i = 0; i < 300; i++) {
      store.upsert({
        aor: 'sip:alice@example.com',
        contact: `sip:${'u'.repeat(100)}dev${i}@192.0.2.1:${5000 + i}`,
        expiresAt: clock.now() + 3_600_000,
        callId: 'c',
        cseq: 1,
        q: i === 299 ? 1 : 0.5,
        source: SOURCE,
        updatedAt: clock.now() + i,
      });
    }
    const invite = request({ method: 'INVITE' });
    const capped = routeRequest(invite, r, SOURCE, AnswerBudget.for(invite, TCP));
    expect(capped.status).toBe(302);
    expect(contactsOf(capped.headers)).toHaveLength(10);
    expect(contactsOf(capped.headers)[0]!.value).toContain('dev299@');

    const budget = AnswerBudget.for(invite, UDP, 1500);
    const cut = routeRequest(invite, r, SOURCE, budget);
    expect(cut.status).toBe(302);
    expect(contactsOf(cut.headers).length).toBeGreaterThan(0);
    expect(contactsOf(cut.headers).length).toBeLessThan(10);
    expect(cut.truncated).toMatchObject({ limit: 1500 });
    const wire = serializeMessage(buildResponse(invite, cut.status, cut.reason, { remote: UDP, headers: cut.headers }));
    expect(wire.length).toBeLessThanOrEqual(1500);
    const parsed = parseMessage(wire);
    expect(parsed.ok && headerValues(parsed.message, 'Contact')[0]).toContain('dev299@');
  });
});

describe('contactMatchKey', () => {
  it('equal URIs always share a key (so a lookup by key never misses an equal contact)', () => {
    const variants = (text: string): string[] => [
      text,
      text.replace(/^sip/i, (s) => s.toUpperCase()),
      text.replace(/@([^:;?>]+)/, (_m, host: string) => `@${host.toUpperCase()}`),
      `${text};x-extra=1`,
    ];
    fc.assert(
      fc.property(sipUri, (uri) => {
        const text = formatUri(uri);
        for (const other of variants(text)) {
          if (uriEquals(text, other)) expect(contactMatchKey(other)).toBe(contactMatchKey(text));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('different users, hosts, ports or transports get different keys', () => {
    const base = 'sip:alice@192.0.2.1:5060;transport=udp';
    for (const other of ['sip:bob@192.0.2.1:5060;transport=udp', 'sip:alice@192.0.2.2:5060;transport=udp', 'sip:alice@192.0.2.1:5061;transport=udp', 'sip:alice@192.0.2.1:5060;transport=tcp']) {
      expect(contactMatchKey(other)).not.toBe(contactMatchKey(base));
    }
  });
});
