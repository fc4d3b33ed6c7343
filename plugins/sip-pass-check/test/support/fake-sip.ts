import type { Clock } from '@switchyard/sdk';
import { definePlugin, type Plugin } from '@switchyard/sdk';
import {
  SipTokens,
  createSipHooks,
  type InboundMessage,
  type SipApi,
  type SipRequestOptions,
  type SipRequestResult,
  type SipResponse,
  type SipStatus,
} from '@switchyard/plugin-sip';

/**
 * How a device treats a probe: `answer` (200, and the answer reaches the
 * node's `message` hook as a real one does), `answer-unheard` (200 without
 * the hook: isolates the device rule from the traffic rule), `silent` (no
 * answer: the client's timeout after `oosForce`), `unreachable` (send-failed
 * at once).
 */
export type DeviceBehaviour = 'answer' | 'answer-unheard' | 'silent' | 'unreachable';

/** Seconds a device takes to answer. */
export const ANSWER_DELAY = 0.02;

/**
 * A stand-in for the SIP plugin (name `sip`, registers `SipTokens.Api`):
 * the devices of a shared "network" answer probes as the test says, and the
 * test delivers inbound messages to either node.
 */
export class FakeSipNetwork {
  private readonly behaviours = new Map<string, DeviceBehaviour>();
  private readonly apis = new Map<string, FakeSipApi>();

  /** The `sip` plugin; one instance serves every node of a test. */
  readonly plugin: Plugin = definePlugin({
    name: 'sip',
    version: '0.0.0-fake',
    provides: [SipTokens.Api],
    apply: (engine) => {
      const api = new FakeSipApi(engine.clock, (uri) => this.behaviour(uri));
      this.apis.set(engine.nodeId, api);
      engine.services.register(SipTokens.Api, api);
    },
  });

  /** Devices are `silent` until told otherwise. */
  set(uri: string, behaviour: DeviceBehaviour): void {
    this.behaviours.set(uri, behaviour);
  }

  behaviour(uri: string): DeviceBehaviour {
    return this.behaviours.get(uri) ?? 'silent';
  }

  node(id: string): FakeSipApi {
    const api = this.apis.get(id);
    if (!api) throw new Error(`no fake SIP plugin applied on ${id}`);
    return api;
  }
}

export class FakeSipApi implements SipApi {
  readonly hooks = createSipHooks();
  /** Every probe this node sent, with the virtual time it went out. */
  readonly requests: (SipRequestOptions & { at: number })[] = [];
  readonly bindings = { count: () => 0, onChange: () => () => undefined };

  constructor(
    private readonly clock: Clock,
    private readonly behaviour: (uri: string) => DeviceBehaviour,
  ) {}

  request(options: SipRequestOptions): Promise<SipRequestResult> {
    this.requests.push({ ...options, at: this.clock.monotonic() });
    const behaviour = this.behaviour(options.uri);
    if (behaviour === 'unreachable') {
      return Promise.resolve({ ok: false, reason: 'send-failed', detail: `ECONNREFUSED ${options.target.host}:${options.target.port}` });
    }
    return new Promise((resolve) => {
      if (behaviour === 'silent') {
        this.clock.setTimeout(
          () => resolve({ ok: false, reason: 'timeout', detail: `no final response within ${options.timeout} s` }),
          options.timeout * 1000,
        );
        return;
      }
      this.clock.setTimeout(() => {
        const response: SipResponse = { kind: 'response', version: 'SIP/2.0', status: 200, reason: 'OK', headers: [], body: Buffer.alloc(0) };
        if (behaviour === 'answer') this.hooks.message.call(this.inbound(response, options.target.host, options.target.port));
        resolve({ ok: true, response, rtt: ANSWER_DELAY * 1000 });
      }, ANSWER_DELAY * 1000);
    });
  }

  /** An inbound request from some SIP peer, as the listener hands it to the `message` hook. */
  receive(method = 'OPTIONS'): void {
    this.hooks.message.call(
      this.inbound({ kind: 'request', version: 'SIP/2.0', method, uri: 'sip:ping@127.0.0.1', headers: [], body: Buffer.alloc(0) }, '127.0.0.1', 40000),
    );
  }

  status(): SipStatus {
    return { host: '127.0.0.1', port: 5060, listening: true, extraHosts: [], bindings: 0, replication: { mode: 'async', inSync: true, lag: 0 } };
  }

  listenOn(): Promise<void> {
    return Promise.resolve();
  }

  stopListening(): Promise<void> {
    return Promise.resolve();
  }

  private inbound(message: InboundMessage['message'], address: string, port: number): InboundMessage {
    return { message, raw: Buffer.alloc(0), remote: { address, port, transport: 'udp' }, receivedAt: this.clock.now() };
  }
}
