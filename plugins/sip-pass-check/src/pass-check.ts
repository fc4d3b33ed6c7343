import type { Clock, MonitorHandle, Role, TimerHandle } from '@switchyard/sdk';
import type { SipApi } from '@switchyard/plugin-sip';
import { DeviceProbe, type DeviceTransition } from './device-probe';
import { PassCheckEvent } from './events';
import { silenceTimeout, trafficSeen } from './guard';
import type { GuardOrigin, GuardSync } from './guard-sync';
import { probeTarget, type ServiceDevice } from './options';
import type { SilenceTracker } from './silence-tracker';
import { effectiveTimeout } from './timeout';

export interface PassCheckDeps {
  devices: readonly ServiceDevice[];
  clock: Clock;
  sip: Pick<SipApi, 'request'>;
  guard: GuardSync;
  tracker: SilenceTracker;
  /** Failing → the node reports `unavailable` and the arbiter switches over. */
  monitor: MonitorHandle;
  emit(id: string, fields: Record<string, unknown>): void;
  role(): Role;
}

/**
 * SIP traffic monitoring on one node. While the node is primary it probes
 * the devices and judges: when **all** devices are out of service **and**
 * no SIP message arrived for the timeout in force (T × the guard's
 * multiplier), it fails the `sip-traffic` monitor, so the node reports
 * `unavailable` and the arbiter switches over. As backup it only watches
 * traffic, which resets the double-switchover guard.
 *
 * The judgement runs at device transitions, at guard changes and on a
 * timer armed for the exact moment the silence reaches the timeout: no
 * polling, and the per-message work stays a store and a flag check.
 */
export class PassCheck {
  /** T in seconds; null without devices. */
  readonly baseTimeout: number | null;
  readonly probes: readonly DeviceProbe[];
  /** Monotonic ms when this node became primary (the silence window opens then); null while not judging. */
  private primarySince: number | null = null;
  private deadline: TimerHandle | null = null;
  private reported = false;
  private started = false;

  constructor(private readonly deps: PassCheckDeps) {
    this.baseTimeout = effectiveTimeout(deps.devices);
    this.probes = deps.devices.map(
      (device) =>
        new DeviceProbe({
          device,
          // The schema accepted only URIs with a target.
          target: probeTarget(device.uri)!,
          clock: deps.clock,
          sip: deps.sip,
          onTransition: (t) => this.deviceChanged(t),
        }),
    );
  }

  /** Seconds: T × multiplier, null without devices. */
  get timeout(): number | null {
    return this.baseTimeout === null ? null : this.baseTimeout * this.deps.guard.state.multiplier;
  }

  /** Whether this node is probing and judging (it is primary and has devices). */
  get judging(): boolean {
    return this.primarySince !== null;
  }

  start(): void {
    this.started = true;
    if (this.probes.length === 0) this.deps.emit(PassCheckEvent.NothingToJudgeBy, {});
    if (this.deps.role() === 'primary') this.activate();
  }

  stop(): void {
    this.started = false;
    this.deactivate();
  }

  roleChanged(to: Role): void {
    if (!this.started) return;
    if (to === 'primary') this.activate();
    else this.deactivate();
  }

  /** Every SIP message (after the tracker stored its time): O(1) unless the guard has something to reset. */
  messageSeen(): void {
    const guard = this.deps.guard;
    if (!guard.atRest) {
      const { multiplier: from, lastCause } = guard.state;
      const step = guard.step(trafficSeen);
      if (step.changed) this.deps.emit(PassCheckEvent.GuardReset, { from, lastCause: lastCause ?? 'none', timeout: this.baseTimeout });
    }
    if (this.reported) this.judge();
  }

  /** The guard state changed; a change from the peer or the disk may move the deadline. */
  guardChanged(origin: GuardOrigin): void {
    if (origin !== 'local') this.judge();
  }

  private activate(): void {
    if (this.primarySince !== null || this.probes.length === 0) return;
    this.primarySince = this.deps.clock.monotonic();
    this.reported = false;
    for (const probe of this.probes) probe.start();
  }

  private deactivate(): void {
    if (this.primarySince === null) return;
    this.primarySince = null;
    for (const probe of this.probes) probe.stop();
    this.deadline?.cancel();
    this.deadline = null;
    // The old primary reports `running` again: it is a healthy backup.
    this.reported = false;
    this.deps.monitor.ok();
  }

  private deviceChanged(t: DeviceTransition): void {
    if (t.to === 'out-of-service') this.deps.emit(PassCheckEvent.DeviceOutOfService, { uri: t.uri, reason: t.reason });
    else if (t.from === 'out-of-service') this.deps.emit(PassCheckEvent.DeviceInService, { uri: t.uri, status: t.status });
    this.judge();
  }

  private judge(): void {
    this.deadline?.cancel();
    this.deadline = null;
    const timeout = this.timeout;
    if (this.primarySince === null || timeout === null) return;
    if (!this.probes.every((p) => p.state === 'out-of-service')) {
      this.recover();
      return;
    }
    const silence = this.deps.tracker.silenceSince(this.primarySince);
    const limit = timeout * 1000;
    if (silence >= limit) {
      if (!this.reported) this.report(silence, timeout);
      return;
    }
    this.recover();
    this.deadline = this.deps.clock.setTimeout(() => {
      this.deadline = null;
      this.judge();
    }, limit - silence);
  }

  private report(silenceMs: number, timeout: number): void {
    const base = this.baseTimeout!;
    const inForce = this.deps.guard.state.multiplier;
    const step = this.deps.guard.step(silenceTimeout);
    if (step.doubleSwitchover) {
      this.deps.emit(PassCheckEvent.DoubleSwitchover, { multiplier: step.state.multiplier, timeout: base * step.state.multiplier });
    }
    const silence = Math.round(silenceMs) / 1000;
    this.deps.emit(PassCheckEvent.UnavailableBySilence, {
      devices: this.probes.length,
      silence,
      timeout,
      baseTimeout: base,
      multiplier: inForce,
    });
    this.reported = true;
    this.deps.monitor.fail(
      `all ${this.probes.length} service devices out of service and no SIP message for ${silence}s (timeout ${timeout}s)`,
    );
  }

  private recover(): void {
    if (!this.reported) return;
    this.reported = false;
    this.deps.monitor.ok();
  }
}
