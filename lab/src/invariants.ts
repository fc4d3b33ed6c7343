import type { ProbeAnswer } from './probe';

/**
 * Invariant checkers over recorded probe answers and registrations. Pure
 * functions (no lab, no clock): a plugin author can run them on answers a
 * prober recorded, and tests run them on hand-made data.
 */

/** A time span in epoch ms, closed at both ends. */
export interface Span {
  from: number;
  to: number;
}

/** Two nodes answering 200 at once: the span both were seen serving, and its length. */
export interface DoublePrimary extends Span {
  ms: number;
  nodes: [string, string];
  /**
   * `handoff`: one node's serving ends and the other's begins within the
   * overlap (a switchover; answers are timestamped on arrival, so a short one
   * may be an ordering artefact). `inside`: one node served while the other
   * answered 200 both before and after it: two primaries, however short.
   */
  shape: 'handoff' | 'inside';
}

/**
 * The spans in which `target` was seen serving as primary: maximal runs of
 * 200 answers with no other answer from it in between and no silence over
 * `maxSilenceMs` (a silent node may have stopped, so silence ends a run).
 * A lone 200 is a span of length 0. Answers from several probers to the
 * same target (outside and inside its host) are merged by time.
 */
export function servingSpans(answers: readonly ProbeAnswer[], target: string, maxSilenceMs: number): Span[] {
  const mine = answers.filter((a) => a.target === target).sort((a, b) => a.at - b.at);
  const spans: Span[] = [];
  let open: Span | undefined;
  for (const a of mine) {
    if (a.status !== 200) {
      open = undefined;
      continue;
    }
    if (open && a.at - open.to <= maxSilenceMs) open.to = a.at;
    else spans.push((open = { from: a.at, to: a.at }));
  }
  return spans;
}

/**
 * Every moment two nodes were both seen serving as primary: the overlaps of
 * their {@link servingSpans}. `nodes` maps a node name to its probe target
 * (its real SIP address, not the VIP). An overlap of length 0 (two 200s at
 * the same instant) is listed too, with its shape.
 */
export function doublePrimaries(answers: readonly ProbeAnswer[], nodes: Readonly<Record<string, string>>, maxSilenceMs: number): DoublePrimary[] {
  const names = Object.keys(nodes);
  const found: DoublePrimary[] = [];
  for (let i = 0; i < names.length; i++) {
    for (let j = i + 1; j < names.length; j++) {
      const a = servingSpans(answers, nodes[names[i]!]!, maxSilenceMs);
      const b = servingSpans(answers, nodes[names[j]!]!, maxSilenceMs);
      for (const x of a) {
        for (const y of b) {
          const from = Math.max(x.from, y.from);
          const to = Math.min(x.to, y.to);
          if (to < from) continue;
          const inside = (x.from > y.from && x.to < y.to) || (y.from > x.from && y.to < x.to);
          found.push({ from, to, ms: to - from, nodes: [names[i]!, names[j]!], shape: inside ? 'inside' : 'handoff' });
        }
      }
    }
  }
  return found.sort((p, q) => p.from - q.from);
}

/**
 * Whether a double primary breaks "never two nodes answering 200 as primary
 * beyond the bound": a handoff overlap longer than `boundMs`, or any
 * `inside` one (a node answering 200 while the other served before and after).
 */
export function isDoublePrimaryViolation(d: DoublePrimary, boundMs: number): boolean {
  return d.shape === 'inside' || d.ms > boundMs;
}

/** The double primaries that are violations (see {@link isDoublePrimaryViolation}). */
export function doublePrimaryViolations(answers: readonly ProbeAnswer[], nodes: Readonly<Record<string, string>>, boundMs: number, maxSilenceMs: number): DoublePrimary[] {
  return doublePrimaries(answers, nodes, maxSilenceMs).filter((d) => isDoublePrimaryViolation(d, boundMs));
}

/** A node's process frozen (SIGSTOP) at `frozenAt` and thawed (SIGCONT) at `thawedAt`. */
export interface Freeze {
  target: string;
  frozenAt: number;
  thawedAt: number;
}

/**
 * The answers without those `target` gave after a thaw to requests sent
 * before the freeze: the documented exception to "two primaries never serve
 * at once" (a process frozen between reading its grant and sending the
 * answer, docs/operator/deploy.md). A 200 to a request sent while it was
 * frozen stays in: a thawed node must answer those like a backup.
 */
export function withoutInFlightAcrossFreezes<A extends ProbeAnswer & { sentAt?: number }>(answers: readonly A[], freezes: readonly Freeze[]): A[] {
  return answers.filter((a) => !freezes.some((f) => a.target === f.target && a.sentAt !== undefined && a.sentAt < f.frozenAt && a.at >= f.thawedAt));
}

/**
 * The answers with those the network held placed when their request was
 * sent: a reply whose round trip took longer than `heldMs`, from a node
 * that was not frozen meanwhile, gets `at = sentAt`. A link that comes back
 * up delivers the replies its neighbour cache queued while it was down
 * (seconds late): counted at arrival, a cut primary's last 200s would look
 * like a second primary. A frozen node's late answers keep their arrival
 * time ({@link withoutInFlightAcrossFreezes} decides about those).
 */
export function withHeldRepliesAtSendTime<A extends ProbeAnswer & { sentAt?: number }>(answers: readonly A[], heldMs: number, freezes: readonly Freeze[]): A[] {
  return answers.map((a) => {
    if (a.sentAt === undefined || a.at - a.sentAt <= heldMs) return a;
    const sentAt = a.sentAt;
    if (freezes.some((f) => a.target === f.target && f.frozenAt < a.at && f.thawedAt > sentAt)) return a;
    return { ...a, at: sentAt };
  });
}

/** The longest time without a 200 from a target inside a window, and where it was. */
export interface Outage extends Span {
  ms: number;
}

/**
 * The longest silence between 200s from `target` (e.g. the VIP) within
 * `window`: counted from the last 200 at or before `window.from` (or from
 * `window.from` if there is none) to the first 200 after it, and up to
 * `window.to` if no 200 came at all after the last one. Undefined when the
 * window is empty.
 */
export function longestOutage(answers: readonly ProbeAnswer[], target: string, window: Span): Outage | undefined {
  if (window.to < window.from) return undefined;
  const oks = answers
    .filter((a) => a.target === target && a.status === 200)
    .map((a) => a.at)
    .sort((x, y) => x - y);
  let last = window.from;
  for (const at of oks) if (at <= window.from) last = at;
  let worst: Outage = { from: last, to: last, ms: 0 };
  for (const at of oks) {
    if (at <= window.from) continue;
    if (at > window.to) break;
    if (at - last > worst.ms) worst = { from: last, to: at, ms: at - last };
    last = at;
  }
  if (window.to - last > worst.ms) worst = { from: last, to: window.to, ms: window.to - last };
  return worst;
}

/** A REGISTER the registrar answered 200: the latest one for its user. */
export interface AckedRegistration {
  user: string;
  /** When the 200 arrived (epoch ms). */
  at: number;
  /** The expiry (s) the 200 granted. */
  expires: number;
}

/** What a query of one user returned: the expiries (s) of its bindings, or none found. */
export interface FoundRegistration {
  user: string;
  /** The final status of the query (200, or 0 for no answer). */
  status: number;
  expires: number[];
}

/** An acknowledged registration missing afterwards, or found with a shorter expiry than granted. */
export interface LostRegistration {
  user: string;
  acked: AckedRegistration;
  found: FoundRegistration | undefined;
  reason: 'missing' | 'expiry' | 'unanswered';
}

/**
 * Every acknowledged registration that a later query did not find with its
 * expiry: missing, unanswered, or with every binding due to expire more
 * than `slackS` seconds before the 200 said (granted at `acked.at` for
 * `acked.expires` s, queried at `queriedAt`).
 */
export function lostRegistrations(
  acked: Iterable<AckedRegistration>,
  found: ReadonlyMap<string, FoundRegistration>,
  queriedAt: number,
  slackS: number,
): LostRegistration[] {
  const lost: LostRegistration[] = [];
  for (const a of acked) {
    const f = found.get(a.user);
    if (!f || f.status === 0) {
      lost.push({ user: a.user, acked: a, found: f, reason: 'unanswered' });
      continue;
    }
    if (f.status !== 200 || f.expires.length === 0) {
      lost.push({ user: a.user, acked: a, found: f, reason: 'missing' });
      continue;
    }
    const due = a.expires - (queriedAt - a.at) / 1000;
    if (Math.max(...f.expires) < due - slackS) lost.push({ user: a.user, acked: a, found: f, reason: 'expiry' });
  }
  return lost;
}
