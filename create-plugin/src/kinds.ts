/** The kinds of plugin create-plugin makes; each is a folder under `templates/`. */
export const KINDS = {
  monitor: 'a monitor: a health file saying "down" makes the node unavailable, and the pair switches over',
  reaction: 'an alarm reaction kind: appends a line to a file for every alarm raised or cleared',
  'switchover-strategy': 'a beforeSwitchover strategy: vetoes a manual switchover until the primary has held its role for a while',
  arbiter: 'an arbiter kind: decides roles for a single-host pair (by priority; switches when the primary is unavailable or gone)',
} as const;

export type Kind = keyof typeof KINDS;

export function isKind(value: string): value is Kind {
  return Object.hasOwn(KINDS, value);
}
