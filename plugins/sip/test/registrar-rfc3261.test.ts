import { ManualClock } from '@switchyard/sdk';
import { describe, expect, it } from 'vitest';
import { parseMessage, type SipRequest } from '../src/message';
import { Registrar, canonicalAor } from '../src/registrar';
import { ContactStore } from '../src/store';

const SOURCE = { address: '192.0.2.10', port: 5060, transport: 'udp' as const };

interface Register {
  to?: string;
  contacts?: string[];
  expires?: string;
  callId?: string;
  cseq?: number;
}

/** A REGISTER as the message layer parses it off the wire. */
function register({ to = '<sip:alice@example.com>', contacts = [], expires, callId = 'c1', cseq = 1 }: Register): SipRequest {
  const text = [
    'REGISTER sip:example.com SIP/2.0',
    'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-1',
    'Max-Forwards: 70',
    `To: ${to}`,
    `From: ${to};tag=f1`,
    `Call-ID: ${callId}`,
    `CSeq: ${cseq} REGISTER`,
    ...contacts.map((c) => `Contact: ${c}`),
    ...(expires === undefined ? [] : [`Expires: ${expires}`]),
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  const parsed = parseMessage(Buffer.from(text));
  if (!parsed.ok || parsed.message.kind !== 'request') throw new Error(`test REGISTER does not parse: ${JSON.stringify(parsed)}`);
  return parsed.message;
}

interface Step {
  request: Register;
  /** Milliseconds to advance the clock before this request. */
  after?: number;
  status: number;
  /** Every Contact header of the answer, in order (2xx). */
  contacts?: string[];
  /** Ops of the changes applied. */
  changes?: string[];
  headers?: Array<{ name: string; value: string }>;
}

interface Case {
  name: string;
  steps: Step[];
}

const A = 'sip:alice@192.0.2.10:5060';
const B = 'sip:alice@198.51.100.7:5080;transport=tcp';

const cases: Case[] = [
  {
    name: 'a new Contact without expiry gets defaultExpires',
    steps: [{ request: { contacts: [`<${A}>`] }, status: 200, contacts: [`<${A}>;expires=3600`], changes: ['upsert'] }],
  },
  {
    name: 'the Expires header applies when the Contact has no expires parameter',
    steps: [{ request: { contacts: [`<${A}>`], expires: '1800' }, status: 200, contacts: [`<${A}>;expires=1800`] }],
  },
  {
    name: 'the Contact expires parameter wins over the Expires header',
    steps: [{ request: { contacts: [`<${A}>;expires=600`], expires: '1800' }, status: 200, contacts: [`<${A}>;expires=600`] }],
  },
  {
    name: 'a malformed expires parameter counts as absent',
    steps: [{ request: { contacts: [`<${A}>;expires=soon`], expires: '900' }, status: 200, contacts: [`<${A}>;expires=900`] }],
  },
  {
    name: 'an expiry above maxExpires is shortened to maxExpires',
    steps: [{ request: { contacts: [`<${A}>;expires=86400`] }, status: 200, contacts: [`<${A}>;expires=7200`] }],
  },
  {
    name: 'an expiry below minExpires is refused with 423 and Min-Expires, changing nothing',
    steps: [
      { request: { contacts: [`<${A}>`, `<${B}>;expires=30`] }, status: 423, changes: [], headers: [{ name: 'Min-Expires', value: '60' }] },
      { request: { cseq: 2 }, status: 200, contacts: [] },
    ],
  },
  {
    name: 'several Contacts of one AOR are each a binding, listed best q first',
    steps: [
      {
        request: { contacts: [`<${A}>;q=0.5`, `"Desk" <${B}>;q=0.9`] },
        status: 200,
        contacts: [`<${B}>;expires=3600;q=0.9`, `<${A}>;expires=3600;q=0.5`],
        changes: ['upsert', 'upsert'],
      },
    ],
  },
  {
    name: 'an invalid q value is a 400',
    steps: [{ request: { contacts: [`<${A}>;q=2`] }, status: 400, changes: [] }],
  },
  {
    name: 'a refresh with the same Call-ID and a higher CSeq updates the binding',
    steps: [
      { request: { contacts: [`<${A}>`], cseq: 1 }, status: 200 },
      { request: { contacts: [`<${A}>;expires=120`], cseq: 2 }, status: 200, contacts: [`<${A}>;expires=120`], changes: ['upsert'] },
    ],
  },
  {
    name: 'same Call-ID with a CSeq not higher is refused with 500 and changes nothing',
    steps: [
      { request: { contacts: [`<${A}>`], cseq: 5 }, status: 200 },
      { request: { contacts: [`<${A}>;expires=120`], cseq: 5 }, status: 500, changes: [] },
      { request: { contacts: [`<${A}>;expires=0`], cseq: 4 }, status: 500, changes: [] },
      { request: { cseq: 6 }, status: 200, contacts: [`<${A}>;expires=3600`] },
    ],
  },
  {
    name: 'an out-of-order Contact fails the whole request, the other Contacts included',
    steps: [
      { request: { contacts: [`<${A}>`], cseq: 5 }, status: 200 },
      { request: { contacts: [`<${B}>`, `<${A}>`], cseq: 3 }, status: 500, changes: [] },
      { request: { cseq: 6 }, status: 200, contacts: [`<${A}>;expires=3600`] },
    ],
  },
  {
    name: 'another Call-ID may use a lower CSeq (a rebooted UA)',
    steps: [
      { request: { contacts: [`<${A}>`], callId: 'before-reboot', cseq: 50 }, status: 200 },
      { request: { contacts: [`<${A}>;expires=300`], callId: 'after-reboot', cseq: 1 }, status: 200, contacts: [`<${A}>;expires=300`] },
    ],
  },
  {
    name: 'expires=0 removes that Contact only',
    steps: [
      { request: { contacts: [`<${A}>`, `<${B}>`] }, status: 200 },
      { request: { contacts: [`<${A}>;expires=0`], cseq: 2 }, status: 200, contacts: [`<${B}>;expires=3600`], changes: ['remove'] },
    ],
  },
  {
    name: 'Expires: 0 removes every Contact the request names; an unknown one is no change',
    steps: [
      { request: { contacts: [`<${A}>`] }, status: 200 },
      { request: { contacts: [`<${A}>`, '<sip:nobody@192.0.2.99>'], expires: '0', cseq: 2 }, status: 200, contacts: [], changes: ['remove'] },
    ],
  },
  {
    name: 'Contact: * with Expires: 0 removes every binding of the AOR',
    steps: [
      { request: { contacts: [`<${A}>`, `<${B}>`] }, status: 200 },
      { request: { contacts: ['*'], expires: '0', callId: 'other', cseq: 1 }, status: 200, contacts: [], changes: ['clear-aor'] },
    ],
  },
  {
    name: 'Contact: * without Expires: 0 is a 400',
    steps: [
      { request: { contacts: [`<${A}>`] }, status: 200 },
      { request: { contacts: ['*'], cseq: 2 }, status: 400, changes: [] },
      { request: { contacts: ['*'], expires: '3600', cseq: 3 }, status: 400, changes: [] },
      { request: { cseq: 4 }, status: 200, contacts: [`<${A}>;expires=3600`] },
    ],
  },
  {
    name: 'Contact: * together with another Contact is a 400',
    steps: [{ request: { contacts: ['*', `<${A}>`], expires: '0' }, status: 400, changes: [] }],
  },
  {
    name: 'Contact: * with the binding’s Call-ID and a CSeq not higher is a 500',
    steps: [
      { request: { contacts: [`<${A}>`], cseq: 7 }, status: 200 },
      { request: { contacts: ['*'], expires: '0', cseq: 7 }, status: 500, changes: [] },
      { request: { contacts: ['*'], expires: '0', cseq: 8 }, status: 200, contacts: [], changes: ['clear-aor'] },
    ],
  },
  {
    name: 'a REGISTER without Contact returns the current bindings and changes nothing',
    steps: [
      { request: { contacts: [`<${A}>`] }, status: 200 },
      { request: { cseq: 2 }, status: 200, contacts: [`<${A}>;expires=3600`], changes: [] },
    ],
  },
  {
    name: 'remaining time is rounded up to whole seconds',
    steps: [
      { request: { contacts: [`<${A}>`] }, status: 200 },
      { request: { cseq: 2 }, after: 1_500, status: 200, contacts: [`<${A}>;expires=3599`] },
      { request: { cseq: 3 }, after: 3_598_000, status: 200, contacts: [`<${A}>;expires=1`] },
      { request: { cseq: 4 }, after: 500, status: 200, contacts: [] },
    ],
  },
  {
    name: 'a malformed Contact is a 400',
    steps: [{ request: { contacts: ['<sip:alice@192.0.2.10'] }, status: 400, changes: [] }],
  },
  {
    name: 'Contacts are matched by URI comparison: host case and parameter order do not make a new binding',
    steps: [
      { request: { contacts: ['<sip:alice@Host.Example.com;transport=tcp;ob>'] }, status: 200 },
      {
        request: { contacts: ['<sip:alice@host.example.com;ob;transport=TCP>;expires=100'], cseq: 2 },
        status: 200,
        contacts: ['<sip:alice@Host.Example.com;transport=tcp;ob>;expires=100'],
      },
    ],
  },
  {
    name: 'a Contact of a different transport is a different binding',
    steps: [
      { request: { contacts: ['<sip:alice@host.example.com;transport=tcp>'] }, status: 200 },
      { request: { contacts: ['<sip:alice@host.example.com;transport=udp>'], cseq: 2 }, status: 200, changes: ['upsert'] },
      { request: { cseq: 3 }, status: 200, changes: [] },
    ],
  },
  {
    name: 'the AOR is the canonical To URI: host case, default port and parameters do not matter',
    steps: [
      { request: { to: '"Alice" <sip:alice@EXAMPLE.com:5060;transport=tcp>', contacts: [`<${A}>`] }, status: 200 },
      { request: { to: '<sip:alice@example.com>', cseq: 2 }, status: 200, contacts: [`<${A}>;expires=3600`] },
      { request: { to: '<sip:alice@example.com:5070>', cseq: 3 }, status: 200, contacts: [] },
      { request: { to: '<sip:Alice@example.com>', cseq: 4 }, status: 200, contacts: [] },
    ],
  },
];

function run(steps: Step[]) {
  const clock = new ManualClock();
  const store = new ContactStore(clock);
  const registrar = new Registrar({ store, clock, defaultExpires: 3600, minExpires: 60, maxExpires: 7200 });
  return { clock, store, registrar };
}

describe('Registrar (RFC 3261 §10.3)', () => {
  it.each(cases)('$name', async ({ steps }) => {
    const { clock, registrar } = run(steps);
    for (const [index, step] of steps.entries()) {
      if (step.after) await clock.advance(step.after);
      const outcome = registrar.handle(register(step.request), SOURCE);
      const where = `step ${index + 1}: ${outcome.status} ${outcome.reason}`;
      expect(outcome.status, where).toBe(step.status);
      if (step.contacts) expect(outcome.headers.filter((h) => h.name === 'Contact').map((h) => h.value), where).toEqual(step.contacts);
      if (step.changes) expect(outcome.changes.map((c) => c.op), where).toEqual(step.changes);
      if (step.headers) expect(outcome.headers, where).toEqual(expect.arrayContaining(step.headers));
      if (outcome.status >= 300) expect(outcome.headers.some((h) => h.name === 'Contact'), where).toBe(false);
    }
  });

  it('stores what the REGISTER said: expiry on the clock, Call-ID, CSeq, q and source', () => {
    const { clock, store, registrar } = run([]);
    const outcome = registrar.handle(register({ contacts: [`<${A}>;q=0.7;expires=120`], callId: 'abc@host', cseq: 9 }), SOURCE);
    expect(outcome.changes).toEqual([
      {
        op: 'upsert',
        binding: {
          aor: 'sip:alice@example.com',
          contact: A,
          expiresAt: clock.now() + 120_000,
          callId: 'abc@host',
          cseq: 9,
          q: 0.7,
          source: SOURCE,
          updatedAt: clock.now(),
        },
      },
    ]);
    expect(store.count).toBe(1);
    expect(outcome.headers.find((h) => h.name === 'Date')?.value).toBe(new Date(clock.now()).toUTCString());
  });

  it('returns the store’s own change objects, in order (what the replicator waits on)', () => {
    const { store, registrar } = run([]);
    const emitted: unknown[] = [];
    store.onChange((change) => emitted.push(change));
    const outcome = registrar.handle(register({ contacts: [`<${A}>`, `<${B}>`] }), SOURCE);
    expect(outcome.changes).toHaveLength(2);
    outcome.changes.forEach((change, i) => expect(change).toBe(emitted[i]));
  });

  it('the 200 lists exactly the bindings the store then holds, best first, after adds, a refresh and a removal', async () => {
    const { clock, store, registrar } = run([]);
    const C = 'sip:alice@203.0.113.5:5070';
    const D = 'sip:alice@203.0.113.9';
    expect(registrar.handle(register({ contacts: [`<${A}>`], callId: 'x', cseq: 1 }), SOURCE).status).toBe(200);
    await clock.advance(1000);
    expect(registrar.handle(register({ contacts: [`<${B}>`, `<${C}>;q=0.5`], callId: 'x', cseq: 2 }), SOURCE).status).toBe(200);
    await clock.advance(1000);
    // A refreshed (now the most recently updated of the q=1 ones), C removed, D added at q=0.9.
    const outcome = registrar.handle(register({ contacts: [`<${A}>`, `<${C}>;expires=0`, `<${D}>;q=0.9`], callId: 'x', cseq: 3 }), SOURCE);
    const listed = outcome.headers.filter((h) => h.name === 'Contact').map((h) => /^<([^>]*)>/.exec(h.value)![1]);
    expect(listed).toEqual([A, B, D]);
    expect(listed).toEqual(store.bindings('sip:alice@example.com').map((b) => b.contact));
  });

  it('among several stored contacts, one written differently (parameter case) refreshes its binding instead of adding one', () => {
    const { store, registrar } = run([]);
    const others = ['sip:alice@203.0.113.1', 'sip:alice@203.0.113.2', 'sip:alice@203.0.113.3'];
    expect(registrar.handle(register({ contacts: [...others, B].map((c) => `<${c}>`), callId: 'x', cseq: 1 }), SOURCE).status).toBe(200);
    const outcome = registrar.handle(register({ contacts: ['<sip:alice@198.51.100.7:5080;TRANSPORT=TCP>;expires=600'], callId: 'x', cseq: 2 }), SOURCE);
    expect(outcome.status).toBe(200);
    expect(outcome.changes).toMatchObject([{ op: 'upsert', binding: { contact: B, expiresAt: expect.any(Number) } }]);
    expect(store.count).toBe(4);
    expect(outcome.headers.filter((h) => h.name === 'Contact')).toHaveLength(4);
  });

  it('lookup() finds the bindings of a Request-URI’s AOR, best first', () => {
    const { registrar } = run([]);
    registrar.handle(register({ contacts: [`<${A}>;q=0.2`, `<${B}>;q=0.8`] }), SOURCE);
    expect(registrar.lookup('sip:alice@Example.com;user=phone').map((b) => b.contact)).toEqual([B, A]);
    expect(registrar.lookup('sip:bob@example.com')).toEqual([]);
    expect(registrar.lookup('not a uri')).toEqual([]);
  });

  it('answers 400 to a REGISTER without To, Call-ID or CSeq (built by hand: the parser would refuse it)', () => {
    const { registrar } = run([]);
    const base = register({ contacts: [`<${A}>`] });
    for (const drop of ['To', 'Call-ID', 'CSeq']) {
      const request: SipRequest = { ...base, headers: base.headers.filter((h) => h.name !== drop) };
      expect(registrar.handle(request, SOURCE).status, drop).toBe(400);
    }
  });

  it('answers 405 to another method', () => {
    const { registrar } = run([]);
    const outcome = registrar.handle({ ...register({}), method: 'INVITE' }, SOURCE);
    expect(outcome).toMatchObject({ status: 405, headers: [{ name: 'Allow', value: 'REGISTER' }] });
  });
});

describe('canonicalAor', () => {
  it.each([
    ['sip:alice@example.com', 'sip:alice@example.com'],
    ['sip:alice@EXAMPLE.COM:5060;transport=udp?subject=x', 'sip:alice@example.com'],
    ['sip:alice@example.com:5070', 'sip:alice@example.com:5070'],
    ['sips:alice@example.com:5061', 'sips:alice@example.com'],
    ['sips:alice@example.com:5060', 'sips:alice@example.com:5060'],
    ['sip:%61lice@example.com', 'sip:alice@example.com'],
    ['sip:Alice@example.com', 'sip:Alice@example.com'],
    ['sip:example.com', 'sip:example.com'],
    ['mailto:alice@example.com', undefined],
  ])('%s → %s', (uri, aor) => {
    expect(canonicalAor(uri)).toBe(aor);
  });
});
