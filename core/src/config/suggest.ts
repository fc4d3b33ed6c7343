/**
 * "Did you mean …?" for mistyped config keys: the closest known key by edit
 * distance, offered only when it is close enough to be a plausible typo.
 */

/**
 * Optimal-string-alignment distance: insertions, deletions, substitutions
 * and swaps of two adjacent characters each cost 1 (`prot` → `port` is 1).
 */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  // Three rolling rows are enough: the swap rule looks two rows back.
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  let current = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, before[j - 2]! + 1);
      }
      current[j] = best;
    }
    [before, previous, current] = [previous, current, before];
  }
  return previous[b.length]!;
}

/**
 * Whether `candidate` is a plausible intended spelling of `input`: about one
 * edit per three characters, or one is an abbreviation (prefix of at least
 * three characters) of the other, as in `prio` → `priority`.
 */
function isPlausible(input: string, candidate: string, distance: number): boolean {
  const longest = Math.max(input.length, candidate.length);
  if (distance <= Math.max(1, Math.floor(longest / 3))) return true;
  const [shorter, longer] = input.length <= candidate.length ? [input, candidate] : [candidate, input];
  return shorter.length >= 3 && longer.startsWith(shorter);
}

/**
 * The known key closest to `input`, or `undefined` when none is close enough.
 * Case is ignored when measuring (`haport` suggests `haPort`); on a tie the
 * first candidate wins, so pass candidates in a meaningful order.
 */
export function suggestKey(input: string, candidates: Iterable<string>): string | undefined {
  const needle = input.toLowerCase();
  let best: { key: string; distance: number } | undefined;
  for (const key of candidates) {
    if (key === input) continue;
    const lower = key.toLowerCase();
    const distance = editDistance(needle, lower);
    if (!isPlausible(needle, lower, distance)) continue;
    if (best === undefined || distance < best.distance) best = { key, distance };
  }
  return best?.key;
}
