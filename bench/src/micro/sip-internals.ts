/**
 * The parts of @switchyard/plugin-sip the micro-benchmarks drive directly
 * (registrar, contact store, router, response building), which the package
 * does not export. They are loaded from its built `dist` beside its
 * package.json, and typed here by the little the benchmarks use, so the
 * bench compiles without reaching into the plugin's sources.
 */
import path from 'node:path';
import type { Clock } from '@switchyard/sdk';
import type { SipHeader, SipMessage, SipRequest, SipResponse } from '@switchyard/plugin-sip';

export interface BenchRemote {
  address: string;
  port: number;
  transport: 'udp' | 'tcp';
}

export interface BenchContactStore {
  readonly count: number;
  onChange(listener: (change: unknown, origin: string) => void): () => void;
}

export interface BenchRegistrar {
  handle(request: SipRequest, source: BenchRemote, budget?: unknown): { status: number; headers: SipHeader[]; changes: unknown[] };
}

export interface BenchRouteDecision {
  status: number;
  reason: string;
  headers: SipHeader[];
  changes: unknown[];
}

interface SipInternals {
  ContactStore: new (clock: Clock) => BenchContactStore;
  Registrar: new (options: { store: BenchContactStore; clock: Clock; maxContactsPerAor?: number }) => BenchRegistrar;
  routeRequest(request: SipRequest, registrar: BenchRegistrar, source: BenchRemote, budget?: unknown): BenchRouteDecision;
  buildResponse(request: SipRequest, status: number, reason: string, opts: { remote: BenchRemote; headers?: SipHeader[] }): SipResponse;
  responseTarget(response: SipResponse, remote: BenchRemote): BenchRemote;
  AnswerBudget: { for(request: SipRequest, remote: BenchRemote): unknown };
  serializeMessage(message: SipMessage): Buffer;
}

let loaded: SipInternals | undefined;

/** The plugin's registrar, store, router and transport helpers, from its build. */
export function sipInternals(): SipInternals {
  if (loaded) return loaded;
  const dist = path.join(path.dirname(require.resolve('@switchyard/plugin-sip/package.json')), 'dist');
  /* eslint-disable @typescript-eslint/no-require-imports */
  const store = require(path.join(dist, 'store', 'index.js')) as Pick<SipInternals, 'ContactStore'>;
  const registrar = require(path.join(dist, 'registrar', 'index.js')) as Pick<SipInternals, 'Registrar'>;
  const router = require(path.join(dist, 'request-router.js')) as Pick<SipInternals, 'routeRequest'>;
  const transport = require(path.join(dist, 'transport', 'index.js')) as Pick<SipInternals, 'buildResponse' | 'responseTarget' | 'AnswerBudget'>;
  const message = require(path.join(dist, 'message', 'index.js')) as Pick<SipInternals, 'serializeMessage'>;
  /* eslint-enable @typescript-eslint/no-require-imports */
  loaded = { ...store, ...registrar, ...router, ...transport, ...message };
  return loaded;
}
