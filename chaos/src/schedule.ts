import { FAULT_KINDS, NODE_FAULTS, type FaultKind, type FaultRole } from '@switchyard/lab';

/**
 * mulberry32: a small, fast 32-bit PRNG. The same seed always gives the
 * same sequence, on any machine and Node version (integer arithmetic only).
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One fault of a schedule: what, against whom, held how long, and the pause after the pair settles again. */
export interface ScheduledFault {
  /** 1-based position in the run. */
  index: number;
  kind: FaultKind;
  /** For node faults: the node in this role when the fault is injected. */
  role?: FaultRole;
  /** For `etcd-member`: which member (0-based). */
  member?: number;
  /** For `clock-step`: seconds the host's wall clock jumps (negative: back); the heal steps it back. */
  stepSeconds?: number;
  holdMs: number;
  pauseMs: number;
}

/** How long each kind is held, [min, max] ms: long enough to outlast the lease (2 s) some of the time, not always. */
export const HOLD_MS: Readonly<Record<FaultKind, readonly [number, number]>> = {
  kill: [500, 2_000],
  stop: [300, 4_000],
  'cut-host': [1_000, 6_000],
  'sip-nic-down': [1_000, 4_000],
  'vip-removed': [500, 2_000],
  'etcd-member': [1_000, 5_000],
  'etcd-all': [1_000, 6_000],
  'ha-link-cut': [1_000, 5_000],
  // A full disk until an operator frees space; a clock off until NTP steps it back.
  'disk-full': [1_000, 8_000],
  'clock-step': [2_000, 8_000],
};
/** How far a `clock-step` jumps, [min, max] seconds, either way: an NTP step after drift up to a resumed VM's hour. */
export const STEP_SECONDS: readonly [number, number] = [30, 3_600];
/** The pause between a settled pair and the next fault, [min, max] ms. */
export const PAUSE_MS: readonly [number, number] = [500, 3_000];
/** Share of node faults aimed at the primary (the rest hit the backup). */
export const PRIMARY_SHARE = 0.7;

const between = (rng: () => number, [lo, hi]: readonly [number, number]) => lo + Math.floor(rng() * (hi - lo + 1));

/**
 * The schedule of a run: `count` faults from `seed`. Kinds come in rounds:
 * each round is a seeded shuffle of every kind in `kinds`, so any run of at
 * least `kinds.length` faults has each kind, and longer runs have them in
 * equal shares. Targets, hold times and pauses are drawn from the same
 * generator: the same seed, count and kinds give the same schedule.
 */
export function makeSchedule(seed: number, count: number, opts: { kinds?: readonly FaultKind[]; etcdMembers?: number } = {}): ScheduledFault[] {
  const kinds = opts.kinds ?? FAULT_KINDS;
  if (kinds.length === 0) throw new Error('makeSchedule: no fault kinds to choose from');
  const members = opts.etcdMembers ?? 3;
  const rng = mulberry32(seed);
  const schedule: ScheduledFault[] = [];
  let round: FaultKind[] = [];
  for (let index = 1; index <= count; index++) {
    if (round.length === 0) {
      round = [...kinds];
      for (let i = round.length - 1; i > 0; i--) {
        const j = Math.floor(rng() * (i + 1));
        [round[i], round[j]] = [round[j]!, round[i]!];
      }
    }
    const kind = round.shift()!;
    const fault: ScheduledFault = { index, kind, holdMs: between(rng, HOLD_MS[kind]), pauseMs: between(rng, PAUSE_MS) };
    if (NODE_FAULTS.includes(kind)) fault.role = rng() < PRIMARY_SHARE ? 'primary' : 'backup';
    if (kind === 'etcd-member') fault.member = Math.floor(rng() * members);
    if (kind === 'clock-step') fault.stepSeconds = (rng() < 0.5 ? -1 : 1) * between(rng, STEP_SECONDS);
    schedule.push(fault);
  }
  return schedule;
}

/** The target of a fault as the schedule says it: `primary`, `backup`, `member 2`, or `primary's host` for the VIP. */
export function targetOf(f: ScheduledFault): string {
  if (f.role) return f.role;
  if (f.member !== undefined) return `member ${f.member}`;
  return f.kind === 'vip-removed' ? 'primary' : 'all';
}

/** One schedule line, e.g. `#3 cut-host primary hold 2.4 s pause 1.1 s`, `#4 clock-step backup -600 s hold …`. */
export function describeFault(f: ScheduledFault): string {
  const step = f.stepSeconds === undefined ? '' : ` ${f.stepSeconds > 0 ? '+' : ''}${f.stepSeconds} s`;
  return `#${f.index} ${f.kind} ${targetOf(f)}${step} hold ${(f.holdMs / 1000).toFixed(1)} s pause ${(f.pauseMs / 1000).toFixed(1)} s`;
}
