import { describe, expect, it } from 'vitest';
import { RetainedLog } from '../src/halink/retained-log';

const frame = (bytes: number, fill = 1): Buffer => Buffer.alloc(bytes, fill);

describe('RetainedLog', () => {
  it('keeps at most `capacity` messages, the newest', () => {
    const log = new RetainedLog(3);
    for (let seq = 1; seq <= 5; seq++) log.push(seq, frame(10, seq));
    expect(log.size).toBe(3);
    expect(log.firstSeq).toBe(3);
    expect(log.covers(2)).toBe(false);
    expect(log.from(3).map((b) => b[0])).toEqual([3, 4, 5]);
  });

  it('keeps at most `maxBytes` bytes of messages, dropping the oldest first', () => {
    const log = new RetainedLog(10_000, 100);
    for (let seq = 1; seq <= 10; seq++) log.push(seq, frame(30, seq));
    // 3 × 30 = 90 ≤ 100; a fourth would make 120.
    expect(log.size).toBe(3);
    expect(log.byteLength).toBe(90);
    expect(log.firstSeq).toBe(8);
    expect(log.covers(7)).toBe(false);
    expect(log.from(8).map((b) => b[0])).toEqual([8, 9, 10]);
  });

  it('keeps the newest message even when it alone is over `maxBytes`', () => {
    const log = new RetainedLog(10_000, 100);
    log.push(1, frame(30));
    log.push(2, frame(500, 2));
    expect(log.size).toBe(1);
    expect(log.firstSeq).toBe(2);
    expect(log.byteLength).toBe(500);
  });

  it('stays within its byte cap over many pushes (memory held is O(cap), not O(messages sent))', () => {
    const log = new RetainedLog(1_000_000, 64 * 1024);
    for (let seq = 1; seq <= 50_000; seq++) log.push(seq, frame(100));
    expect(log.byteLength).toBeLessThanOrEqual(64 * 1024);
    expect(log.size).toBe(Math.floor((64 * 1024) / 100));
    expect(log.from(log.firstSeq)).toHaveLength(log.size);
  });
});
