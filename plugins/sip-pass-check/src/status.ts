import type { Clock } from '@switchyard/sdk';
import type { DeviceState } from './device-probe';
import type { GuardCause, GuardMultiplier } from './guard';
import type { PassCheck } from './pass-check';
import type { SilenceTracker } from './silence-tracker';
import type { GuardSync } from './guard-sync';

/** One device in the status section. */
export interface DeviceStatus {
  uri: string;
  state: DeviceState;
  /** Seconds since the device last answered this node's probe; null when it never did. */
  lastAnswer: number | null;
  /** Status code of that answer. */
  lastStatus: number | null;
}

/** This node's `sipPassCheck` section of `switchyard status --json`. */
export interface PassCheckStatus {
  devices: DeviceStatus[];
  /** Seconds since this node received a SIP message; null when none arrived since it started. */
  sinceLastMessage: number | null;
  /** Timeout in force, seconds: `baseTimeout × multiplier` (null without devices). */
  timeout: number | null;
  /** T: the longest `oosCheck + max(oosForce, 5)` over the devices. */
  baseTimeout: number | null;
  multiplier: GuardMultiplier;
  lastCause: GuardCause;
}

/** Seconds, to the millisecond. */
const seconds = (ms: number): number => Math.round(ms) / 1000;

export function passCheckStatus(parts: { check: PassCheck; tracker: SilenceTracker; guard: GuardSync; clock: Clock }): PassCheckStatus {
  const { check, tracker, guard, clock } = parts;
  const now = clock.monotonic();
  const since = tracker.lastMessageAt;
  return {
    devices: check.probes.map((probe) => ({
      uri: probe.uri,
      state: probe.state,
      lastAnswer: probe.lastAnswer === null ? null : seconds(now - probe.lastAnswer),
      lastStatus: probe.lastStatus,
    })),
    sinceLastMessage: since === null ? null : seconds(now - since),
    timeout: check.timeout,
    baseTimeout: check.baseTimeout,
    multiplier: guard.state.multiplier,
    lastCause: guard.state.lastCause,
  };
}
