import type { Clock, TimerHandle } from '@switchyard/sdk';
import type { SipApi, SipRequestResult } from '@switchyard/plugin-sip';
import type { ProbeTarget, ServiceDevice } from './options';

/** `unknown` until the first probe of this term as primary has an outcome. */
export type DeviceState = 'unknown' | 'in-service' | 'out-of-service';

export interface DeviceTransition {
  uri: string;
  from: DeviceState;
  to: DeviceState;
  /** Status code of the answer (to `in-service`). */
  status?: number;
  /** Why the probe failed (to `out-of-service`): `timeout`, `send-failed` or `not-listening`, with detail. */
  reason?: string;
}

export interface DeviceProbeOptions {
  device: ServiceDevice;
  target: ProbeTarget;
  clock: Clock;
  sip: Pick<SipApi, 'request'>;
  onTransition(transition: DeviceTransition): void;
}

/**
 * Active Out-Of-Service detection of one device: an OPTIONS probe every
 * `oosCheck` seconds through the SIP plugin's client, from the node's own
 * SIP address. Any response is an answer (in service, whatever its status
 * code); no final response within `oosForce` seconds, or a probe that could
 * not be sent, puts the device out of service. One probe in flight at a
 * time: when `oosForce` exceeds `oosCheck` the next probe goes out as soon
 * as the previous one ends.
 */
export class DeviceProbe {
  private current: DeviceState = 'unknown';
  private lastAnswerAt: number | null = null;
  private lastStatusCode: number | null = null;
  private timer: TimerHandle | null = null;
  /** Counts start/stop: the outcome of a probe sent in an earlier run is ignored. */
  private run = 0;

  constructor(private readonly options: DeviceProbeOptions) {}

  get uri(): string {
    return this.options.device.uri;
  }
  get state(): DeviceState {
    return this.current;
  }
  /** Monotonic ms of the last answer, null when the device never answered this node. */
  get lastAnswer(): number | null {
    return this.lastAnswerAt;
  }
  get lastStatus(): number | null {
    return this.lastStatusCode;
  }

  /** Starts probing now, from state `unknown`. */
  start(): void {
    this.stop();
    this.current = 'unknown';
    void this.probe(this.run);
  }

  stop(): void {
    this.run += 1;
    this.timer?.cancel();
    this.timer = null;
  }

  private async probe(run: number): Promise<void> {
    const { clock, device, target, sip } = this.options;
    const sentAt = clock.monotonic();
    let result: SipRequestResult;
    try {
      result = await sip.request({ method: 'OPTIONS', uri: device.uri, target, timeout: device.oosForce });
    } catch (error) {
      // The client rejects only requests it cannot build; for the device that is still "no answer".
      result = { ok: false, reason: 'send-failed', detail: error instanceof Error ? error.message : String(error) };
    }
    if (run !== this.run) return;
    this.record(result);
    const wait = Math.max(0, sentAt + device.oosCheck * 1000 - clock.monotonic());
    this.timer = clock.setTimeout(() => {
      this.timer = null;
      void this.probe(run);
    }, wait);
  }

  private record(result: SipRequestResult): void {
    if (result.ok) {
      this.lastAnswerAt = this.options.clock.monotonic();
      this.lastStatusCode = result.response.status;
      this.move('in-service', { status: result.response.status });
    } else {
      this.move('out-of-service', { reason: `${result.reason}: ${result.detail}` });
    }
  }

  private move(to: DeviceState, detail: { status?: number; reason?: string }): void {
    const from = this.current;
    if (from === to) return;
    this.current = to;
    this.options.onTransition({ uri: this.uri, from, to, ...detail });
  }
}
