import { createToken, type PluginEngine } from '@switchyard/sdk';
import type { SipHooks } from './sip-hooks';
import type { ClientResult, SipClientRequest } from './transport';
import type { BindingChange } from './store';

/** The answer to a request sent with {@link SipApi.request}. A timeout is local: never a response. */
export type SipRequestResult = ClientResult;

/** A request for {@link SipApi.request}: method, Request-URI, target, extra headers, timeout (seconds). */
export type SipRequestOptions = SipClientRequest;

/** This node's SIP status section (`status --json` → `nodes[].sip`). */
export interface SipStatus {
  host: string;
  port: number;
  listening: boolean;
  /** The pair's public address (`plugins.sip.public`) and whether this node holds it now (only the primary does). */
  public?: { host: string; port: number; held: boolean };
  /** Addresses listened on besides `host` (see {@link SipApi.listenOn}), e.g. a virtual IP this node holds. */
  extraHosts: string[];
  bindings: number;
  replication: { mode: 'async' | 'sync'; inSync: boolean; lag: number };
}

/** What the SIP plugin offers other plugins on the same node. */
export interface SipApi {
  readonly hooks: SipHooks;
  /** Sends a request from this node's SIP address and waits for the final response. */
  request(options: SipRequestOptions): Promise<SipRequestResult>;
  status(): SipStatus;
  /**
   * Makes this node's SIP service listen on another address of this host
   * too (UDP and TCP, on the node's SIP port), e.g. a virtual IP while this
   * node holds it: requests sent to `host` are answered from `host` (a
   * socket bound to it, not a wildcard), through the same parser, role
   * gate (503 on a backup), `message`/`request` hooks and registrar as the
   * node's own address. Shown in `status` as `sip.extraHosts`; closed when
   * the plugin stops.
   *
   * Resolves once both transports are bound. Idempotent: a second call for
   * the same address gets the same promise; the node's own `host` resolves
   * at once. A failure is not retried (the caller decides) and never
   * touches the node's own listener, its 00-04200 alarm or its role.
   *
   * @param host an IPv4 or IPv6 address, without prefix length or brackets
   * @throws (rejects) `SWY_ERR_SIP_NOT_LISTENING` when it cannot bind — the
   *   message names address, port, transport and errno with what to do
   *   (`EADDRNOTAVAIL`: the address is not on this host yet; `EADDRINUSE`:
   *   the port is taken, e.g. by a 0.0.0.0 SIP host), the system error as
   *   `cause` — or when the plugin has stopped or `stopListening` came
   *   first; `SWY_ERR_SIP_OPTIONS` when `host` is not an address or is a
   *   wildcard.
   */
  listenOn(host: string): Promise<void>;
  /**
   * Stops listening on an address opened with {@link SipApi.listenOn};
   * resolves once its sockets (and its TCP connections) are closed.
   * Idempotent; never closes the node's own listener.
   */
  stopListening(host: string): Promise<void>;
  /** The node's registrations: read-only view and change feed (e.g. to mirror them elsewhere, or to measure replication). */
  readonly bindings: {
    count(): number;
    /** Called after every change: `local` from the registrar (primary), `replica` from the peer. Expiries are not changes. */
    onChange(listener: (change: BindingChange, origin: 'local' | 'replica') => void): () => void;
  };
}

export const SipTokens = Object.freeze({
  Api: createToken<SipApi>('sip'),
});

/**
 * The SIP plugin's hooks for the node `engine` belongs to. Declare
 * `requires: { plugins: ['sip'] }` so the SIP plugin is applied first.
 */
export function getSipHooks(engine: Pick<PluginEngine, 'services'>): SipHooks {
  return engine.services.resolve(SipTokens.Api).hooks;
}
