import { ManualClock } from '@switchyard/sdk';
import { describe, expect, it } from 'vitest';
import { BindPolicy } from '../src/bind-policy';

function setup(initial: { role: 'primary' | 'backup'; listening: boolean }) {
  const clock = new ManualClock();
  const state = { ...initial };
  const requests: string[] = [];
  const policy = new BindPolicy({
    clock,
    retryInterval: 5,
    role: () => state.role,
    listening: () => state.listening,
    requestSwitchover: (why) => void requests.push(why),
  });
  return { clock, state, requests, policy };
}

describe('listener-bind policy (virtual time)', () => {
  it('a primary that cannot bind gives the role away at once when the backup listens', () => {
    const s = setup({ role: 'primary', listening: false });
    s.policy.roleChanged();
    expect(s.requests).toEqual([]);
    s.policy.peerState(true);
    expect(s.requests).toHaveLength(1);
    expect(s.requests[0]).toMatch(/backup is listening/);
  });

  it('when neither can bind, the primary keeps the role for one retry interval, then asks', async () => {
    const s = setup({ role: 'primary', listening: false });
    s.policy.roleChanged();
    s.policy.peerState(false);
    s.policy.bindFailed();
    expect(s.requests).toEqual([]);
    await s.clock.advance(4_000);
    s.policy.bindFailed();
    expect(s.requests).toEqual([]);
    await s.clock.advance(1_000);
    s.policy.bindFailed();
    expect(s.requests).toHaveLength(1);
    expect(s.requests[0]).toMatch(/cannot bind either; alternating every 5s/);
  });

  it('never asks as backup or while listening', async () => {
    const s = setup({ role: 'backup', listening: false });
    s.policy.peerState(true);
    await s.clock.advance(10_000);
    s.policy.bindFailed();
    s.state.role = 'primary';
    s.state.listening = true;
    s.policy.roleChanged();
    s.policy.peerState(true);
    s.policy.bindFailed();
    expect(s.requests).toEqual([]);
  });
});
