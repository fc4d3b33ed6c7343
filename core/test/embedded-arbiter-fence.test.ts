import { describe, expect, it } from 'vitest';
import { embeddedArbiterOptionsSchema } from '../src/supervisor/embedded-kind';
import { simulatedPair } from './embedded-arbiter-support';

/**
 * `arbiter.fence`: a primary that stops answering (frozen) is killed by its
 * agent before the other node is ordered primary; a crashed one is not
 * (it is gone already), and without `fence` nobody is killed.
 */
function setup(fence: boolean | undefined) {
  const s = simulatedPair({ fence });
  s.arbiter.nodeSpawned('sip-a');
  s.arbiter.nodeSpawned('sip-b');
  s.beat('sip-a', { status: 'running' });
  s.beat('sip-b', { status: 'running' });
  return s;
}

describe('embedded arbiter fencing (arbiter.fence)', () => {
  it('fences a frozen primary before it orders the backup primary', async () => {
    const s = setup(true);
    await s.run(300);
    expect(s.arbiter.primary).toBe('sip-a');
    s.log.length = 0;
    await s.run(1_500, ['sip-a']);
    expect(s.arbiter.primary).toBe('sip-b');
    const fence = s.log.findIndex((l) => l.startsWith('fence sip-a for sip-b: primary sip-a missed heartbeats'));
    const promote = s.log.indexOf('order sip-b primary t2');
    expect(fence).toBeGreaterThanOrEqual(0);
    expect(promote).toBeGreaterThan(fence);
    expect(s.log.filter((l) => l.startsWith('fence'))).toHaveLength(1);
  });

  it('does not fence a primary that exited (the kernel already released what it held)', async () => {
    const s = setup(true);
    await s.run(300);
    s.log.length = 0;
    s.arbiter.nodeExited('sip-a', 'signal SIGKILL');
    expect(s.arbiter.primary).toBe('sip-b');
    expect(s.log.some((l) => l.startsWith('fence'))).toBe(false);
  });

  it('does not fence a silent backup, nor a silent primary with no live node to take over', async () => {
    const s = setup(true);
    await s.run(300);
    s.log.length = 0;
    await s.run(1_500, ['sip-b']);
    expect(s.arbiter.primary).toBe('sip-a');
    await s.run(1_500, ['sip-a', 'sip-b']);
    expect(s.log.some((l) => l.startsWith('fence'))).toBe(false);
  });

  it('without fence (the default) a frozen primary is only demoted', async () => {
    const s = setup(undefined);
    await s.run(300);
    s.log.length = 0;
    await s.run(1_500, ['sip-a']);
    expect(s.arbiter.primary).toBe('sip-b');
    expect(s.log.some((l) => l.startsWith('fence'))).toBe(false);
    expect(embeddedArbiterOptionsSchema.parse({}).fence).toBe(false);
  });
});
