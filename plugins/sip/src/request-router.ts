import { headerValue, headerValues, type SipHeader, type SipRequest } from './message';
import type { Registrar, RegisterRefusal } from './registrar';
import type { BindingChange } from './store';
import type { AnswerBudget } from './transport/answer-budget';

/** What the router decided for one request; the service sends it. */
export interface RouteDecision {
  status: number;
  reason: string;
  headers: SipHeader[];
  /** Binding changes to replicate before answering (REGISTER). */
  changes: BindingChange[];
  /** A REGISTER refused for a registrar limit. */
  refused?: RegisterRefusal;
  /** A redirect whose contacts were cut to fit the transport: how many were left out. */
  truncated?: { omitted: number; bytes: number; limit: number };
}

export const ALLOWED_METHODS = ['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'REGISTER'];

const decision = (status: number, reason: string, headers: SipHeader[] = []): RouteDecision => ({ status, reason, headers, changes: [] });

/**
 * The primary's built-in handling: registrar for REGISTER, 200 for OPTIONS,
 * and a redirect server for everything else (302 to the registered
 * contacts of the Request-URI, else 404). A 302 names at most
 * `maxContactsPerAor` contacts, best first, and only as many as fit
 * `budget` (the transport's limit), so it is never much larger than the
 * request plus what the contact cap allows; when not even one fits, 513.
 */
export function routeRequest(
  request: SipRequest,
  registrar: Registrar,
  source: { address: string; port: number; transport: 'udp' | 'tcp' },
  budget?: AnswerBudget,
): RouteDecision {
  const required = request.method === 'CANCEL' ? [] : headerValues(request, 'Require');
  if (required.length > 0) {
    // RFC 3261 §8.2.2.3: we support no extensions.
    return decision(420, 'Bad Extension', [{ name: 'Unsupported', value: required.join(', ') }]);
  }
  const maxForwards = headerValue(request, 'Max-Forwards');
  if (maxForwards !== undefined && Number(maxForwards) === 0 && request.method !== 'OPTIONS' && request.method !== 'REGISTER') {
    return decision(483, 'Too Many Hops');
  }
  switch (request.method) {
    case 'REGISTER': {
      const outcome = registrar.handle(request, source, budget);
      const routed: RouteDecision = { status: outcome.status, reason: outcome.reason, headers: outcome.headers, changes: outcome.changes };
      if (outcome.refused) routed.refused = outcome.refused;
      return routed;
    }
    case 'OPTIONS':
      return decision(200, 'OK', [
        { name: 'Allow', value: ALLOWED_METHODS.join(', ') },
        { name: 'Accept', value: 'application/sdp' },
      ]);
    case 'CANCEL':
      // Every INVITE is answered at once with a final response, so nothing is left to cancel.
      return decision(481, 'Call/Transaction Does Not Exist');
    default: {
      const bindings = registrar.lookup(request.uri);
      if (bindings.length === 0) return decision(404, 'Not Found');
      const contacts = bindings
        .slice(0, registrar.contactLimit)
        .map((b) => ({ name: 'Contact', value: `<${b.contact}>${b.q === undefined ? '' : `;q=${b.q}`}` }));
      const kept = budget ? budget.fitPrefix([], contacts) : contacts;
      const omitted = bindings.length - kept.length;
      const size = budget?.sizeWith(contacts) ?? 0;
      if (kept.length === 0) {
        const refused = decision(513, 'Message Too Large (the redirect would not fit one UDP datagram)', [
          { name: 'Warning', value: '399 switchyard "the contacts of this address do not fit a UDP answer; send the request over TCP"' },
        ]);
        return { ...refused, truncated: { omitted, bytes: size, limit: budget!.limit } };
      }
      const redirect = decision(302, 'Moved Temporarily', kept);
      if (kept.length < contacts.length) redirect.truncated = { omitted, bytes: size, limit: budget!.limit };
      return redirect;
    }
  }
}
