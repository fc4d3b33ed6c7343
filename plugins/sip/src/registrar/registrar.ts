import type { Clock } from '@switchyard/sdk';
import { headerValue, parseContacts, parseCSeq, parseNameAddr, uriEquals, type NameAddr, type SipHeader, type SipRequest } from '../message';
import type { Binding, BindingChange, BindingSource, ContactStore } from '../store';
import { canonicalAor } from './aor';
import { parseDeltaSeconds, parseQValue } from './expires';

export interface RegistrarOptions {
  store: ContactStore;
  /** Expiry times are `clock.now()` based. */
  clock: Clock;
  /** Seconds a binding lasts when the REGISTER names no expiry; default 3600. */
  defaultExpires?: number;
  /** Shortest non-zero expiry accepted; shorter ones get 423 Interval Too Brief. Default 60. */
  minExpires?: number;
  /** Longer expiries are shortened to this; default 7200. */
  maxExpires?: number;
}

/** The registrar's answer to a REGISTER. */
export interface RegisterOutcome {
  status: number;
  reason: string;
  /**
   * Headers to add to the response: on 2xx one `Contact: <uri>;expires=<s>`
   * per current binding and `Date`; `Min-Expires` on 423; `Allow` on 405.
   */
  headers: SipHeader[];
  /** Changes already applied to the store, in order (to replicate before answering). */
  changes: BindingChange[];
}

/** One Contact of the request, checked and resolved to the binding key it updates. */
interface PlannedContact {
  /** The binding's key: the Contact URI as first registered (an equal URI updates it). */
  key: string;
  expires: number;
  q: number | undefined;
}

type Plan = { ok: true; contacts: PlannedContact[] } | { ok: false; outcome: RegisterOutcome };

const fail = (status: number, reason: string, headers: SipHeader[] = []): { ok: false; outcome: RegisterOutcome } => ({
  ok: false,
  outcome: { status, reason, headers, changes: [] },
});

/**
 * A registrar (RFC 3261 §10.3) on a {@link ContactStore}: adds, refreshes
 * and removes bindings, and answers with the current bindings of the
 * address-of-record. All checks run before any change, so a refused
 * REGISTER changes nothing. Authentication and the Request-URI domain check
 * (steps 1–4) are left to `request` hook taps.
 */
export class Registrar {
  private readonly store: ContactStore;
  private readonly clock: Clock;
  private readonly defaultExpires: number;
  private readonly minExpires: number;
  private readonly maxExpires: number;

  constructor(options: RegistrarOptions) {
    this.store = options.store;
    this.clock = options.clock;
    this.defaultExpires = options.defaultExpires ?? 3600;
    this.minExpires = options.minExpires ?? 60;
    this.maxExpires = options.maxExpires ?? 7200;
  }

  /** Processes a REGISTER from `source`; never throws on bad input (answers 4xx/5xx). */
  handle(request: SipRequest, source: BindingSource): RegisterOutcome {
    if (request.method !== 'REGISTER') return fail(405, 'Method Not Allowed', [{ name: 'Allow', value: 'REGISTER' }]).outcome;
    const to = parseNameAddr(headerValue(request, 'To') ?? '');
    if (!to || to.wildcard) return fail(400, 'Bad Request (malformed To)').outcome;
    const aor = canonicalAor(to.uri);
    if (aor === undefined) return fail(404, 'Not Found (unsupported address-of-record)').outcome;
    const callId = headerValue(request, 'Call-ID')?.trim();
    const cseq = parseCSeq(headerValue(request, 'CSeq') ?? '');
    if (!callId || !cseq) return fail(400, 'Bad Request (missing Call-ID or CSeq)').outcome;
    const contacts = parseContacts(request);
    if (!contacts) return fail(400, 'Bad Request (malformed Contact)').outcome;
    if (contacts.length === 0) return this.ok(aor, []); // a query: current bindings only

    const expiresHeader = headerValue(request, 'Expires');
    if (contacts[0]!.wildcard) return this.unregisterAll(aor, expiresHeader, callId, cseq.seq);

    const plan = this.plan(aor, contacts, parseDeltaSeconds(expiresHeader), callId, cseq.seq);
    if (!plan.ok) return plan.outcome;
    const now = this.clock.now();
    const changes: BindingChange[] = [];
    for (const contact of plan.contacts) {
      const change =
        contact.expires === 0
          ? this.store.remove(aor, contact.key)
          : this.store.upsert({
              aor,
              contact: contact.key,
              expiresAt: now + contact.expires * 1000,
              callId,
              cseq: cseq.seq,
              q: contact.q,
              source: { address: source.address, port: source.port, transport: source.transport },
              updatedAt: now,
            });
      if (change) changes.push(change);
    }
    return this.ok(aor, changes);
  }

  /** Bindings for a Request-URI (redirect server): its address-of-record's, best first. */
  lookup(requestUri: string): Binding[] {
    const aor = canonicalAor(requestUri);
    return aor === undefined ? [] : this.store.bindings(aor);
  }

  /** `Contact: *` (step 6): valid only alone and with `Expires: 0`; removes every binding of the AOR. */
  private unregisterAll(aor: string, expiresHeader: string | undefined, callId: string, cseq: number): RegisterOutcome {
    if (parseDeltaSeconds(expiresHeader) !== 0) return fail(400, 'Bad Request (Contact: * needs Expires: 0)').outcome;
    const stale = this.store.bindings(aor).find((b) => b.callId === callId && cseq <= b.cseq);
    if (stale) return this.outOfOrder();
    const change = this.store.clearAor(aor);
    return this.ok(aor, change ? [change] : []);
  }

  /** Steps 6 and 7 without touching the store: expiries, q values, and the Call-ID / CSeq order. */
  private plan(aor: string, contacts: NameAddr[], headerExpires: number | undefined, callId: string, cseq: number): Plan {
    const current = this.store.bindings(aor);
    const planned: PlannedContact[] = [];
    for (const contact of contacts) {
      const requested = parseDeltaSeconds(contact.params.expires) ?? headerExpires ?? this.defaultExpires;
      if (requested > 0 && requested < this.minExpires) {
        return fail(423, 'Interval Too Brief', [{ name: 'Min-Expires', value: String(this.minExpires) }]);
      }
      const q = parseQValue(contact.params.q);
      if (q === null) return fail(400, `Bad Request (invalid q value in Contact ${contact.uri})`);
      const existing = current.find((b) => uriEquals(b.contact, contact.uri));
      if (existing && existing.callId === callId && cseq <= existing.cseq) return { ok: false, outcome: this.outOfOrder() };
      // A Contact repeated in one request: the last occurrence wins.
      const earlier = planned.findIndex((p) => uriEquals(p.key, contact.uri));
      const key = existing?.contact ?? (earlier >= 0 ? planned[earlier]!.key : contact.uri);
      if (earlier >= 0) planned.splice(earlier, 1);
      planned.push({ key, expires: Math.min(requested, this.maxExpires), q });
    }
    return { ok: true, contacts: planned };
  }

  /** Step 7: a REGISTER not newer than the one that made the binding (same Call-ID) is refused, unchanged. */
  private outOfOrder(): RegisterOutcome {
    return fail(500, 'Server Internal Error (out-of-order REGISTER: CSeq not higher than the binding’s)').outcome;
  }

  /** Step 8: 200 with every current binding of the AOR and its remaining time. */
  private ok(aor: string, changes: BindingChange[]): RegisterOutcome {
    const now = this.clock.now();
    const headers: SipHeader[] = this.store.bindings(aor).map((b) => ({
      name: 'Contact',
      value: `<${b.contact}>;expires=${Math.ceil((b.expiresAt - now) / 1000)}${b.q === undefined ? '' : `;q=${b.q}`}`,
    }));
    headers.push({ name: 'Date', value: new Date(now).toUTCString() });
    return { status: 200, reason: 'OK', headers, changes };
  }
}
