import { headerValue, headerValues, type SipHeader, type SipRequest } from './message';
import type { Registrar } from './registrar';
import type { BindingChange } from './store';

/** What the router decided for one request; the service sends it. */
export interface RouteDecision {
  status: number;
  reason: string;
  headers: SipHeader[];
  /** Binding changes to replicate before answering (REGISTER). */
  changes: BindingChange[];
}

export const ALLOWED_METHODS = ['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'REGISTER'];

const decision = (status: number, reason: string, headers: SipHeader[] = []): RouteDecision => ({ status, reason, headers, changes: [] });

/**
 * The primary's built-in handling: registrar for REGISTER, 200 for OPTIONS,
 * and a redirect server for everything else (302 to the registered
 * contacts of the Request-URI, else 404).
 */
export function routeRequest(request: SipRequest, registrar: Registrar, source: { address: string; port: number; transport: 'udp' | 'tcp' }): RouteDecision {
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
      const outcome = registrar.handle(request, source);
      return { status: outcome.status, reason: outcome.reason, headers: outcome.headers, changes: outcome.changes };
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
      return decision(
        302,
        'Moved Temporarily',
        bindings.map((b) => ({ name: 'Contact', value: `<${b.contact}>${b.q === undefined ? '' : `;q=${b.q}`}` })),
      );
    }
  }
}
