/**
 * Properties of what a hostile client controls, over generated and mutated
 * requests: where an answer goes, and what the registrar stores and sends.
 * Bounded in an ordinary run; `npm run fuzz` raises the count (SIP_FUZZ_RUNS).
 */
import fc from 'fast-check';
import { ManualClock } from '@switchyard/sdk';
import { describe, expect, it } from 'vitest';
import { formatUri, headerValues, parseMessage, parseVia, serializeMessage, type SipRequest } from '../src/message';
import { parseMessageUnguarded } from '../src/message/parse';
import { Registrar } from '../src/registrar';
import { routeRequest } from '../src/request-router';
import { ContactStore } from '../src/store';
import { AnswerBudget, buildResponse, responseTarget, type RemoteAddress } from '../src/transport';
import { fuzzRuns, fuzzTimeout, host, mutatedWire, sipMessage, sipUri } from './message-arbitraries';

/** A source address a datagram or connection really came from. */
const source: fc.Arbitrary<RemoteAddress> = fc.record({
  address: fc.oneof(fc.ipV4(), fc.ipV6()),
  port: fc.integer({ min: 1, max: 65535 }),
  transport: fc.constantFrom('udp' as const, 'tcp' as const),
});

/** A top Via as a hostile client may write it: any host and port, with or without received= and rport(=n). */
const claimingVia = fc
  .record({
    host,
    port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
    received: fc.option(fc.oneof(fc.ipV4(), fc.ipV6()), { nil: undefined }),
    rport: fc.option(fc.oneof(fc.constant(''), fc.integer({ min: 1, max: 65535 }).map(String)), { nil: undefined }),
  })
  .map(
    ({ host: h, port, received, rport }) =>
      `SIP/2.0/UDP ${h}${port === undefined ? '' : `:${port}`};branch=z9hG4bKfz${received === undefined ? '' : `;received=${received}`}${rport === undefined ? '' : rport === '' ? ';rport' : `;rport=${rport}`}`,
  );

function request(via: string, method = 'OPTIONS', contacts: string[] = []): SipRequest {
  const text = [
    `${method} sip:bob@example.com SIP/2.0`,
    `Via: ${via}`,
    'Max-Forwards: 70',
    'From: <sip:alice@example.com>;tag=1',
    'To: <sip:bob@example.com>',
    'Call-ID: fz@example.com',
    `CSeq: 1 ${method}`,
    ...contacts.map((c) => `Contact: ${c}`),
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  const parsed = parseMessage(Buffer.from(text));
  if (!parsed.ok || parsed.message.kind !== 'request') throw new Error(`generated request does not parse: ${text}`);
  return parsed.message;
}

const unbracket = (address: string): string => address.replace(/^\[|\]$/g, '').toLowerCase();

describe('hostile-input properties', () => {
  it('an answer always goes to the real source address, and its Via received is that address whatever the client wrote', () => {
    fc.assert(
      fc.property(claimingVia, source, (via, remote) => {
        const req = request(via);
        const response = buildResponse(req, 200, 'OK', { remote });
        const top = parseVia(headerValues(response, 'Via')[0]!)!;
        const target = responseTarget(response, remote);
        expect(unbracket(target.address)).toBe(unbracket(remote.address).replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, ''));
        if (top.params.received !== undefined) expect(unbracket(top.params.received!)).toBe(unbracket(target.address));
        if ('rport' in (parseVia(via)?.params ?? {})) {
          expect(top.params.rport).toBe(String(remote.port));
          if (remote.transport === 'udp') expect(target.port).toBe(remote.port);
        }
        // the stamped answer is a valid message
        expect(parseMessageUnguarded(serializeMessage(response)).ok).toBe(true);
      }),
      { numRuns: fuzzRuns(1000, 2) },
    );
  }, fuzzTimeout);

  it('mutated requests never make the registrar or the router throw, never store past the caps, and a 2xx/3xx always fits UDP', () => {
    const clock = new ManualClock();
    const store = new ContactStore(clock);
    const registrar = new Registrar({ store, clock, maxContactsPerAor: 3, maxBindings: 20 });
    const udp: RemoteAddress = { address: '192.0.2.1', port: 5060, transport: 'udp' };
    const refusals = new Set<string>();
    fc.assert(
      fc.property(
        // mostly valid requests (so the registrar is reached), some mutated bytes
        fc.oneof({ arbitrary: sipMessage.filter((m) => m.kind === 'request').map(serializeMessage), weight: 4 }, { arbitrary: mutatedWire, weight: 1 }),
        fc.constantFrom('REGISTER', 'REGISTER', 'INVITE', 'OPTIONS'),
        fc.constantFrom(...Array.from({ length: 30 }, (_, i) => i)),
        fc.array(sipUri.map(formatUri), { minLength: 1, maxLength: 6 }),
        (bytes, method, user, contacts) => {
          const parsed = parseMessageUnguarded(bytes);
          if (!parsed.ok || parsed.message.kind !== 'request') return;
          // 30 addresses-of-record and up to 6 contacts a request, so both caps are reached
          const headers = parsed.message.headers.map((h) => (/^(to|t)$/i.test(h.name) ? { name: 'To', value: `<sip:user${user}@example.com>` } : h));
          headers.push(...contacts.map((uri) => ({ name: 'Contact', value: `<${uri}>` })));
          const req: SipRequest = { ...parsed.message, method, uri: `sip:user${user}@example.com`, headers };
          const budget = AnswerBudget.for(req, udp);
          const decision = routeRequest(req, registrar, udp, budget);
          expect(decision.status).toBeGreaterThanOrEqual(200);
          if (decision.refused && decision.refused.kind !== 'too-large') refusals.add(decision.refused.kind);
          if (decision.status < 400) expect(budget.sizeWith(decision.headers)).toBeLessThanOrEqual(budget.limit);
          expect(store.count).toBeLessThanOrEqual(20);
          for (const binding of store.all()) expect(store.bindings(binding.aor).length).toBeLessThanOrEqual(3);
        },
      ),
      { numRuns: fuzzRuns(600, 10) },
    );
    // the generated traffic did reach both limits
    expect(refusals).toEqual(new Set(['contacts-per-aor', 'bindings']));
  }, fuzzTimeout);
});
