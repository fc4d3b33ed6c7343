import { createToken, type PluginEngine } from '@switchyard/core';
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
  bindings: number;
  replication: { mode: 'async' | 'sync'; inSync: boolean; lag: number };
}

/** What the SIP plugin offers other plugins on the same node. */
export interface SipApi {
  readonly hooks: SipHooks;
  /** Sends a request from this node's SIP address and waits for the final response. */
  request(options: SipRequestOptions): Promise<SipRequestResult>;
  status(): SipStatus;
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
