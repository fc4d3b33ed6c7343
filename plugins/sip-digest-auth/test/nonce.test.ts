import { ManualClock } from '@switchyard/sdk';
import { describe, expect, it } from 'vitest';
import { NONCE_FUTURE_SKEW_MS, NonceCounts, NonceSigner } from '../src/index';

const SECRET = 'a-secret-of-at-least-thirty-two-characters';

describe('NonceSigner (virtual clock)', () => {
  it('accepts its own nonce for exactly the lifetime, then calls it stale (not foreign)', async () => {
    const clock = new ManualClock();
    const signer = new NonceSigner(clock, SECRET, 'r', 30_000);
    const nonce = signer.issue();
    expect(signer.verify(nonce)).toEqual({ kind: 'valid', issuedAt: clock.now() });
    await clock.advance(30_000);
    expect(signer.verify(nonce).kind).toBe('valid');
    await clock.advance(1);
    expect(signer.verify(nonce).kind).toBe('stale');
    await clock.advance(10 * 3600_000);
    expect(signer.verify(nonce).kind).toBe('stale');
  });

  it('every nonce is different, and nothing is stored to issue them', () => {
    const signer = new NonceSigner(new ManualClock(), SECRET, 'r', 30_000);
    const nonces = new Set(Array.from({ length: 1000 }, () => signer.issue()));
    expect(nonces.size).toBe(1000);
  });

  it('a node with the same secret and realm verifies it; another secret, another realm, a flipped bit or a future time do not', async () => {
    const clock = new ManualClock();
    const signer = new NonceSigner(clock, SECRET, 'r', 30_000);
    const nonce = signer.issue();
    expect(new NonceSigner(clock, SECRET, 'r', 30_000).verify(nonce).kind).toBe('valid');
    expect(new NonceSigner(clock, `${SECRET}!`, 'r', 30_000).verify(nonce).kind).toBe('foreign');
    expect(new NonceSigner(clock, SECRET, 'other', 30_000).verify(nonce).kind).toBe('foreign');
    const bytes = Buffer.from(nonce, 'base64url');
    for (let i = 0; i < bytes.length; i++) {
      const flipped = Buffer.from(bytes);
      flipped[i]! ^= 1;
      expect(signer.verify(flipped.toString('base64url')).kind, `byte ${i}`).toBe('foreign');
    }
    expect(signer.verify('').kind).toBe('foreign');
    expect(signer.verify(`${nonce}A`).kind).toBe('foreign');

    // a nonce from a node whose clock runs ahead: within the skew it is valid, beyond it is refused
    const ahead = new ManualClock();
    await ahead.advance(NONCE_FUTURE_SKEW_MS + 1);
    const fromAhead = new NonceSigner(ahead, SECRET, 'r', 30_000).issue();
    expect(signer.verify(fromAhead).kind).toBe('foreign');
    await clock.advance(1);
    expect(signer.verify(fromAhead).kind).toBe('valid');
  });
});

describe('NonceCounts', () => {
  const LIFE = 60_000;

  it('accepts increasing counts, a retransmission of the accepted request, and refuses any other repeat or lower count', () => {
    const counts = new NonceCounts(100, LIFE, 0);
    expect(counts.check('n', 10, 1, 'req-1')).toBe('fresh');
    counts.record('n', 10, 1, 'req-1', 10);
    expect(counts.check('n', 10, 1, 'req-1')).toBe('retransmission');
    expect(counts.check('n', 10, 1, 'req-2')).toBe('replay');
    expect(counts.check('n', 10, 3, 'req-3')).toBe('fresh');
    counts.record('n', 10, 3, 'req-3', 11);
    expect(counts.check('n', 10, 2, 'req-2')).toBe('replay');
    expect(counts.check('n', 10, 3, 'req-1')).toBe('replay');
  });

  it('nonces issued before the node started tracking are forgotten, never fresh', () => {
    const counts = new NonceCounts(100, LIFE, 5_000);
    expect(counts.check('old', 4_999, 7, 'r')).toBe('forgotten');
    expect(counts.check('new', 5_000, 1, 'r')).toBe('fresh');
  });

  it('holds at most max nonces; an evicted nonce is forgotten, not trusted afresh, and later nonces stay fresh', () => {
    const counts = new NonceCounts(100, LIFE, 0);
    for (let i = 0; i < 150; i++) counts.record(`n${i}`, 1_000 + i, 5, `r${i}`, 2_000);
    expect(counts.size).toBe(100);
    expect(counts.check('n0', 1_000, 5, 'x')).toBe('forgotten'); // evicted: a replay of its count 5 must not pass
    expect(counts.check('n49', 1_049, 6, 'x')).toBe('forgotten');
    expect(counts.check('n50', 1_050, 5, 'x')).toBe('replay'); // still tracked
    expect(counts.check('n-new', 1_200, 1, 'x')).toBe('fresh');
  });

  it('the least recently used nonce is evicted first: one in use survives', () => {
    const counts = new NonceCounts(100, LIFE, 0);
    counts.record('busy', 1_000, 1, 'r', 1_000);
    for (let i = 0; i < 150; i++) {
      counts.record(`n${i}`, 1_001 + i, 1, `r${i}`, 2_000);
      if (i % 50 === 0) counts.record('busy', 1_000, i + 2, `b${i}`, 2_000);
    }
    expect(counts.check('busy', 1_000, 103, 'x')).toBe('fresh');
    expect(counts.check('busy', 1_000, 102, 'x')).toBe('replay');
  });
});
