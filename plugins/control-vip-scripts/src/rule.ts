/** One side of a split brain, as the rule compares it. */
export interface Contender {
  id: string;
  term: number;
  priority: number;
}

/** Who stays primary, and the words that say why. */
export interface Verdict {
  winner: string;
  loser: string;
  rule: string;
}

/**
 * The deterministic split-brain rule: the higher term wins (the newer
 * arbiter decision), then the higher priority, then the lower node id. Both
 * nodes compute the same verdict from the same two states, so exactly one
 * of them yields.
 */
export function splitBrainVerdict(a: Contender, b: Contender): Verdict {
  const [winner, loser, rule] =
    a.term !== b.term
      ? a.term > b.term
        ? [a, b, `term ${a.term} of ${a.id} is newer than term ${b.term} of ${b.id}`]
        : [b, a, `term ${b.term} of ${b.id} is newer than term ${a.term} of ${a.id}`]
      : a.priority !== b.priority
        ? a.priority > b.priority
          ? [a, b, `same term ${a.term}; priority ${a.priority} of ${a.id} is higher than ${b.priority} of ${b.id}`]
          : [b, a, `same term ${a.term}; priority ${b.priority} of ${b.id} is higher than ${a.priority} of ${a.id}`]
        : a.id < b.id
          ? [a, b, `same term ${a.term} and priority ${a.priority}; ${a.id} sorts before ${b.id}`]
          : [b, a, `same term ${a.term} and priority ${a.priority}; ${b.id} sorts before ${a.id}`];
  return { winner: winner.id, loser: loser.id, rule };
}
