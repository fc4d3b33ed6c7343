import type { Clock } from '@switchyard/sdk';
import {
  contactMatchKey,
  headerValue,
  messageContacts,
  messageCSeq,
  messageTo,
  uriEquals,
  type NameAddr,
  type SipHeader,
  type SipRequest,
} from '../message';
import type { Binding, BindingChange, BindingSource, ContactStore } from '../store';
import type { AnswerBudget } from '../transport/answer-budget';
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
  /** Contacts one address-of-record may hold; a REGISTER that would make more gets 403. Default 10. */
  maxContactsPerAor?: number;
  /** Bindings in the store in all; a REGISTER that would add past it gets 503. Default unlimited. */
  maxBindings?: number;
  /** `Retry-After` seconds of the 503 sent when the store is full; default 60. */
  fullRetryAfter?: number;
}

/** Longest Contact URI stored, bytes: each binding's memory stays bounded (see `BINDING_BUDGET_BYTES`). */
export const MAX_CONTACT_URI_BYTES = 1024;
/** Longest Call-ID stored, bytes. */
export const MAX_CALL_ID_BYTES = 256;
/** Longest address-of-record stored, bytes. */
export const MAX_AOR_BYTES = 256;

/** Why a REGISTER was refused for a limit (the service logs an event for each kind). */
export type RegisterRefusal =
  | { kind: 'contacts-per-aor'; aor: string; count: number; limit: number }
  | { kind: 'bindings'; count: number; limit: number }
  | { kind: 'too-large'; bytes: number; limit: number };

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
  /** Set when a limit refused the REGISTER (nothing was stored). */
  refused?: RegisterRefusal;
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
  private readonly maxContactsPerAor: number;
  private readonly maxBindings: number;
  private readonly fullRetryAfter: number;

  constructor(options: RegistrarOptions) {
    this.store = options.store;
    this.clock = options.clock;
    this.defaultExpires = options.defaultExpires ?? 3600;
    this.minExpires = options.minExpires ?? 60;
    this.maxExpires = options.maxExpires ?? 7200;
    this.maxContactsPerAor = options.maxContactsPerAor ?? 10;
    this.maxBindings = options.maxBindings ?? Number.POSITIVE_INFINITY;
    this.fullRetryAfter = options.fullRetryAfter ?? 60;
  }

  /** Contacts one address-of-record may hold (`registrar.maxContactsPerAor`). */
  get contactLimit(): number {
    return this.maxContactsPerAor;
  }

  /**
   * Processes a REGISTER from `source`; never throws on bad input (answers
   * 4xx/5xx). With a `budget`, the 200 is measured before anything is
   * stored: one that would not fit the transport is refused with 513 and
   * nothing changes, so no binding is ever stored that its client cannot be
   * told about. Cost: O(contacts of the request + contacts of the AOR), both
   * bounded by `maxContactsPerAor`, whatever the store holds.
   */
  handle(request: SipRequest, source: BindingSource, budget?: AnswerBudget): RegisterOutcome {
    if (request.method !== 'REGISTER') return fail(405, 'Method Not Allowed', [{ name: 'Allow', value: 'REGISTER' }]).outcome;
    const to = messageTo(request);
    if (!to || to.wildcard) return fail(400, 'Bad Request (malformed To)').outcome;
    const aor = canonicalAor(to.uri);
    if (aor === undefined) return fail(404, 'Not Found (unsupported address-of-record)').outcome;
    if (aor.length > MAX_AOR_BYTES) return fail(400, `Bad Request (address-of-record over ${MAX_AOR_BYTES} bytes)`).outcome;
    const callId = headerValue(request, 'Call-ID')?.trim();
    const cseq = messageCSeq(request);
    if (!callId || !cseq) return fail(400, 'Bad Request (missing Call-ID or CSeq)').outcome;
    if (callId.length > MAX_CALL_ID_BYTES) return fail(400, `Bad Request (Call-ID over ${MAX_CALL_ID_BYTES} bytes)`).outcome;
    const contacts = messageContacts(request);
    if (!contacts) return fail(400, 'Bad Request (malformed Contact)').outcome;
    if (contacts.length === 0) return this.query(aor, budget); // a query: current bindings only

    const expiresHeader = headerValue(request, 'Expires');
    if (contacts[0]!.wildcard) return this.unregisterAll(aor, expiresHeader, callId, cseq.seq);
    // More Contacts than an AOR may hold cannot all be stored: refuse before any per-contact work.
    if (contacts.length > this.maxContactsPerAor) return this.tooManyContacts(aor, contacts.length);
    const long = contacts.find((c) => Buffer.byteLength(c.uri) > MAX_CONTACT_URI_BYTES);
    if (long) return fail(400, `Bad Request (Contact URI over ${MAX_CONTACT_URI_BYTES} bytes)`).outcome;

    const current = this.store.bindings(aor);
    const plan = this.plan(current, contacts, parseDeltaSeconds(expiresHeader), callId, cseq.seq);
    if (!plan.ok) return plan.outcome;
    const now = this.clock.now();
    const next = new Map<string, Binding>();
    for (const binding of current) next.set(binding.contact, binding);
    const steps: (Binding | { remove: string })[] = [];
    for (const contact of plan.contacts) {
      if (contact.expires === 0) {
        next.delete(contact.key);
        steps.push({ remove: contact.key });
        continue;
      }
      const binding: Binding = {
        aor,
        contact: contact.key,
        expiresAt: now + contact.expires * 1000,
        callId,
        cseq: cseq.seq,
        q: contact.q,
        source: { address: source.address, port: source.port, transport: source.transport },
        updatedAt: now,
      };
      next.set(contact.key, binding);
      steps.push(binding);
    }
    // Refreshing or removing is always allowed; only growth is limited.
    if (next.size > current.length && next.size > this.maxContactsPerAor) return this.tooManyContacts(aor, next.size);
    const added = next.size - current.length;
    if (added > 0) {
      const stored = this.store.count;
      if (stored + added > this.maxBindings) return this.full(stored);
    }
    // The answer lists what the store will hold once the steps are applied: built once, measured, sent.
    const headers = this.answerHeaders([...next.values()].sort(byPreference), now);
    if (budget && !budget.fits(headers)) return this.tooLarge(budget.sizeWith(headers), budget.limit, 'nothing was stored');
    const applied: BindingChange[] = [];
    for (const step of steps) {
      const change = 'remove' in step ? this.store.remove(aor, step.remove) : this.store.upsert(step);
      if (change) applied.push(change);
    }
    return { status: 200, reason: 'OK', headers, changes: applied };
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

  /**
   * Steps 6 and 7 without touching the store: expiries, q values, and the
   * Call-ID / CSeq order. A Contact is first looked up as written (a
   * refresh almost always repeats its URI exactly: no URI is parsed);
   * otherwise by {@link contactMatchKey}, compared with `uriEquals` only
   * within a key's bucket. Stored contacts are keyed only on that slower
   * path, so a refresh costs the same with 1 or 10 stored contacts.
   */
  private plan(current: readonly Binding[], contacts: readonly NameAddr[], headerExpires: number | undefined, callId: string, cseq: number): Plan {
    const exact = new Map<string, Binding>();
    for (const binding of current) exact.set(binding.contact, binding);
    let stored: Map<string, Binding[]> | undefined;
    // Only a request with several Contacts can repeat one.
    const planned = contacts.length > 1 ? new Map<string, PlannedContact[]>() : undefined;
    const order: PlannedContact[] = [];
    for (const contact of contacts) {
      const requested = parseDeltaSeconds(contact.params.expires) ?? headerExpires ?? this.defaultExpires;
      if (requested > 0 && requested < this.minExpires) {
        return fail(423, 'Interval Too Brief', [{ name: 'Min-Expires', value: String(this.minExpires) }]);
      }
      const q = parseQValue(contact.params.q);
      if (q === null) return fail(400, `Bad Request (invalid q value in Contact ${contact.uri})`);
      let existing = exact.get(contact.uri);
      if (existing === undefined && current.length > 0) {
        if (stored === undefined) {
          stored = new Map();
          for (const binding of current) bucket(stored, contactMatchKey(binding.contact)).push(binding);
        }
        existing = stored.get(contactMatchKey(contact.uri))?.find((b) => uriEquals(b.contact, contact.uri));
      }
      if (existing && existing.callId === callId && cseq <= existing.cseq) return { ok: false, outcome: this.outOfOrder() };
      const entry: PlannedContact = { key: existing?.contact ?? contact.uri, expires: Math.min(requested, this.maxExpires), q };
      if (planned !== undefined) {
        // A Contact repeated in one request: the last occurrence wins.
        const same = bucket(planned, contactMatchKey(contact.uri));
        const earlier = same.find((p) => uriEquals(p.key, contact.uri));
        if (earlier) {
          entry.key = existing?.contact ?? earlier.key;
          same.splice(same.indexOf(earlier), 1);
          order.splice(order.indexOf(earlier), 1);
        }
        same.push(entry);
      }
      order.push(entry);
    }
    return { ok: true, contacts: order };
  }

  private tooManyContacts(aor: string, count: number): RegisterOutcome {
    const limit = this.maxContactsPerAor;
    return {
      status: 403,
      reason: `Forbidden (too many contacts: at most ${limit} per address-of-record)`,
      headers: [warning(`at most ${limit} contacts per address-of-record; remove some (expires=0) before adding others`)],
      changes: [],
      refused: { kind: 'contacts-per-aor', aor, count, limit },
    };
  }

  private full(count: number): RegisterOutcome {
    return {
      status: 503,
      reason: 'Service Unavailable (registrar full)',
      headers: [
        { name: 'Retry-After', value: String(this.fullRetryAfter) },
        warning(`the registrar holds its maximum of ${this.maxBindings} bindings`),
      ],
      changes: [],
      refused: { kind: 'bindings', count, limit: this.maxBindings },
    };
  }

  private tooLarge(bytes: number, limit: number, what: string): RegisterOutcome {
    return {
      status: 513,
      reason: 'Message Too Large (the answer would not fit one UDP datagram)',
      headers: [warning(`the 200 would be ${bytes} bytes, over the ${limit}-byte UDP limit; ${what}; register over TCP or with fewer or shorter contacts`)],
      changes: [],
      refused: { kind: 'too-large', bytes, limit },
    };
  }

  /** A REGISTER without Contact: the current bindings, or 513 when they do not fit the transport. */
  private query(aor: string, budget: AnswerBudget | undefined): RegisterOutcome {
    const outcome = this.ok(aor, []);
    if (budget && !budget.fits(outcome.headers)) return this.tooLarge(budget.sizeWith(outcome.headers), budget.limit, 'query over TCP');
    return outcome;
  }

  /** Step 7: a REGISTER not newer than the one that made the binding (same Call-ID) is refused, unchanged. */
  private outOfOrder(): RegisterOutcome {
    return fail(500, 'Server Internal Error (out-of-order REGISTER: CSeq not higher than the binding’s)').outcome;
  }

  /** Step 8: 200 with every current binding of the AOR and its remaining time. */
  private ok(aor: string, changes: BindingChange[]): RegisterOutcome {
    return { status: 200, reason: 'OK', headers: this.answerHeaders(this.store.bindings(aor), this.clock.now()), changes };
  }

  /** The 200's headers: one Contact per binding (in the order given), then Date. */
  private answerHeaders(bindings: readonly Binding[], now: number): SipHeader[] {
    const headers: SipHeader[] = bindings.map((b) => ({
      name: 'Contact',
      value: `<${b.contact}>;expires=${Math.ceil((b.expiresAt - now) / 1000)}${b.q === undefined ? '' : `;q=${b.q}`}`,
    }));
    headers.push({ name: 'Date', value: this.httpDate(now) });
    return headers;
  }

  private date = { second: Number.NaN, text: '' };

  /** `Date` text (RFC 3261 §20.17), formatted once a second. */
  private httpDate(now: number): string {
    const second = Math.floor(now / 1000);
    if (second !== this.date.second) this.date = { second, text: new Date(now).toUTCString() };
    return this.date.text;
  }
}

/** The order the store gives bindings in: highest q (absent q counts as 1), then most recently updated. */
function byPreference(a: Binding, b: Binding): number {
  return (b.q ?? 1) - (a.q ?? 1) || b.updatedAt - a.updatedAt;
}

/** A `Warning: 399` (miscellaneous, RFC 3261 §20.43) with our agent name and `text`. */
function warning(text: string): SipHeader {
  return { name: 'Warning', value: `399 switchyard "${text.replace(/["\\]/g, '')}"` };
}

function bucket<T>(map: Map<string, T[]>, key: string): T[] {
  let list = map.get(key);
  if (!list) map.set(key, (list = []));
  return list;
}
