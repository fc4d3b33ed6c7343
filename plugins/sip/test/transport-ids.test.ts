/** Tags, branches and Call-IDs: random, and never handed out twice (they come from a shared random pool). */
import { describe, expect, it } from 'vitest';
import { BRANCH_COOKIE, newBranch, newCallId, newTag } from '../src/transport/ids';

describe('identifiers from the random pool', () => {
  it('every tag, branch and Call-ID differs from every other, across many refills of the pool', () => {
    // 3,000 tags are 24,000 random bytes: the 4,096-byte pool is refilled several times.
    const tags = Array.from({ length: 3000 }, () => newTag());
    const branches = Array.from({ length: 1000 }, () => newBranch());
    const callIds = Array.from({ length: 1000 }, () => newCallId('[::1]'));
    expect(new Set(tags).size).toBe(tags.length);
    expect(new Set(branches).size).toBe(branches.length);
    expect(new Set(callIds).size).toBe(callIds.length);
    for (const tag of tags) expect(tag).toMatch(/^[0-9a-f]{16}$/);
    for (const branch of branches) expect(branch).toMatch(new RegExp(`^${BRANCH_COOKIE}[0-9a-f]{16}$`));
    for (const callId of callIds) expect(callId).toMatch(/^[0-9a-f]{32}@::1$/);
  });
});
