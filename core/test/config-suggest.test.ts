import { describe, expect, it } from 'vitest';
import { editDistance, suggestKey } from '../src/config/suggest';

const NODE_KEYS = ['id', 'host', 'haPort', 'priority'];
const HALINK_KEYS = ['heartbeatInterval', 'missedHeartbeats', 'secret', 'maxFrameBytes', 'handshakeTimeout'];

describe('suggestKey ("did you mean")', () => {
  it.each([
    ['prio', NODE_KEYS, 'priority'], // abbreviation
    ['haport', NODE_KEYS, 'haPort'], // case only
    ['hots', NODE_KEYS, 'host'], // swapped letters
    ['hearbeatInterval', HALINK_KEYS, 'heartbeatInterval'], // one letter missing
    ['missedHeartbeat', HALINK_KEYS, 'missedHeartbeats'],
    ['secrett', HALINK_KEYS, 'secret'],
  ])('suggests %s → %s', (input, keys, expected) => {
    expect(suggestKey(input, keys)).toBe(expected);
  });

  it.each([
    ['colour', ['host', 'port']],
    ['timeout', HALINK_KEYS],
    ['x', NODE_KEYS],
    ['address', NODE_KEYS],
  ])('suggests nothing for %s when no key is close', (input, keys) => {
    expect(suggestKey(input, keys)).toBeUndefined();
  });

  it('counts an adjacent swap as one edit', () => {
    expect(editDistance('prot', 'port')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });
});
