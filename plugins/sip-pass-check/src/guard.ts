/**
 * The double-switchover guard as a pure state machine. If neither node sees
 * SIP traffic, every primary reaches the silence timeout in turn and the
 * pair would switch over at every timeout. The guard notices "this
 * switchover is by silence, and so was the previous one" and doubles the
 * multiplier of the timeout, up to {@link MAX_MULTIPLIER}; traffic seen by
 * either node puts it back at rest.
 *
 * Timeouts in force for successive silent primaries: T, T, 2T, 4T, 4T, …
 */

export type GuardMultiplier = 1 | 2 | 4;
/** Why the last switchover happened, as far as the guard cares: by silence, or nothing to remember. */
export type GuardCause = 'silence' | null;

export const MAX_MULTIPLIER: GuardMultiplier = 4;

export interface GuardState {
  readonly multiplier: GuardMultiplier;
  readonly lastCause: GuardCause;
}

export const GUARD_AT_REST: GuardState = Object.freeze({ multiplier: 1, lastCause: null });

/** The result of one step: the next state (the same object when nothing changed). */
export interface GuardStep {
  readonly state: GuardState;
  readonly changed: boolean;
  /** The step found a double switchover (it may leave the multiplier at its cap). */
  readonly doubleSwitchover: boolean;
}

export function isAtRest(state: GuardState): boolean {
  return state.multiplier === 1 && state.lastCause === null;
}

/**
 * A primary reached the silence timeout and is about to report itself
 * unavailable. When the previous switchover was by silence too (and no
 * traffic reset the guard since), this is a double switchover.
 */
export function silenceTimeout(state: GuardState): GuardStep {
  const doubleSwitchover = state.lastCause === 'silence';
  const multiplier = doubleSwitchover ? doubled(state.multiplier) : state.multiplier;
  if (multiplier === state.multiplier && state.lastCause === 'silence') return { state, changed: false, doubleSwitchover };
  return { state: { multiplier, lastCause: 'silence' }, changed: true, doubleSwitchover };
}

/** Either node saw a SIP message: the pair is not silent, back to rest. */
export function trafficSeen(state: GuardState): GuardStep {
  if (isAtRest(state)) return { state, changed: false, doubleSwitchover: false };
  return { state: GUARD_AT_REST, changed: true, doubleSwitchover: false };
}

function doubled(multiplier: GuardMultiplier): GuardMultiplier {
  return multiplier >= MAX_MULTIPLIER / 2 ? MAX_MULTIPLIER : ((multiplier * 2) as GuardMultiplier);
}
