import { describe, expect, it } from 'vitest';
import { echoSlackMs, grantDeadline, linkSlackMs, peerSilenceHoldMs, type GrantInputs } from '../src/grant';

// The defaults: leaseTtl 2 s, failsafeMargin 0.5 s, grantWindow 0.5 s, HA-link slack 2 × 0.1 s.
const base: GrantInputs = {
  now: 10_000,
  leaseTtlMs: 2000,
  marginMs: 500,
  windowMs: 500,
  leaseConfirmedAt: 9_900,
  linkConfirmedAt: null,
  linkSlackMs: 200,
  linkEchoedAt: null,
  echoSlackMs: 500,
};

describe('grantDeadline', () => {
  it.each<[string, Partial<GrantInputs>, number]>([
    ['a fresh keepalive: capped by the grant window', {}, 10_500],
    ['an older keepalive: the lease bound, confirmed + ttl − margin', { leaseConfirmedAt: 8_700 }, 10_200],
    ['a keepalive too old: already past (now − 1: stop serving)', { leaseConfirmedAt: 8_000 }, 9_999],
    ['no confirmed keepalive yet: already past (now − 1)', { leaseConfirmedAt: null }, 9_999],
    ['a stale keepalive (etcd just back, not yet confirmed): a fresh HA-link confirmation still holds', { leaseConfirmedAt: 8_000, linkConfirmedAt: 9_950 }, 10_150],
    ['a fresh HA-link confirmation extends past the lease bound', { leaseConfirmedAt: 8_000, linkConfirmedAt: 9_950 }, 10_150],
    ['the link extension is capped by the window too', { leaseConfirmedAt: 8_000, linkConfirmedAt: 9_990, windowMs: 100 }, 10_100],
    ['the later of the lease bound and the link confirmation', { leaseConfirmedAt: 8_800, linkConfirmedAt: 9_900 }, 10_300],
    ['link confirmation stale: already past', { leaseConfirmedAt: 8_000, linkConfirmedAt: 9_700 }, 9_900],
    ['never confirmed by lease or link: already past', { leaseConfirmedAt: null, linkConfirmedAt: null }, 9_999],
    ['no link confirmation: the lease bound alone', { leaseConfirmedAt: 8_700, linkConfirmedAt: null }, 10_200],
    ['an echoed heartbeat holds its send time + the echo slack', { leaseConfirmedAt: 8_000, linkEchoedAt: 9_700 }, 10_200],
    ['an echo, capped by the window', { leaseConfirmedAt: 8_000, linkEchoedAt: 9_950, windowMs: 300 }, 10_300],
    ['an echo too old: already past (now − 1)', { leaseConfirmedAt: 8_000, linkEchoedAt: 9_400 }, 9_999],
    ['the latest of lease, confirmation and echo', { leaseConfirmedAt: 8_600, linkConfirmedAt: 9_900, linkEchoedAt: 9_600 }, 10_100],
  ])('%s', (_case, patch, expected) => {
    expect(grantDeadline({ ...base, ...patch })).toBe(expected);
  });
});

describe('linkSlackMs: how long a confirmation from the peer holds the grant', () => {
  it('is two heartbeat intervals up to 3 missed heartbeats, missed − 1 intervals beyond (0.2 s at the defaults 0.05 s × 5)', () => {
    expect(linkSlackMs({ heartbeatInterval: 0.1, missedHeartbeats: 3 })).toBeCloseTo(200, 6);
    expect(linkSlackMs({ heartbeatInterval: 0.1, missedHeartbeats: 1 })).toBeCloseTo(200, 6);
    expect(linkSlackMs({ heartbeatInterval: 0.05, missedHeartbeats: 5 })).toBeCloseTo(200, 6);
    expect(linkSlackMs({ heartbeatInterval: 0.05, missedHeartbeats: 10 })).toBeCloseTo(450, 6);
  });

  it('ends before the backup may campaign after an HA-link loss (noticed after missed intervals, then missed + 1 more), from 3 missed heartbeats on', () => {
    for (let missed = 3; missed <= 100; missed++) {
      const haLink = { heartbeatInterval: 0.05, missedHeartbeats: missed };
      const interval = haLink.heartbeatInterval * 1000;
      // Latest the primary serves after the peer's last frame: its link still up for missed intervals, one more for its
      // report to reach the agent, then the slack. Earliest the backup campaigns: missed intervals to notice, missed + 1 to wait.
      const primaryStops = missed * interval + interval + linkSlackMs(haLink);
      const backupCampaigns = missed * interval + (missed + 1) * interval;
      expect(primaryStops, `missedHeartbeats ${missed}`).toBeLessThan(backupCampaigns);
    }
  });
});

describe('HA-link echoes: the backup\'s wait and the primary\'s slack', () => {
  it('the backup waits (2 × missed + 1) intervals from its last hearing; the primary serves one interval less from the echoed send time', () => {
    expect(peerSilenceHoldMs({ heartbeatInterval: 0.05, missedHeartbeats: 5 })).toBeCloseTo(550, 6);
    expect(echoSlackMs({ heartbeatInterval: 0.05, missedHeartbeats: 5 })).toBeCloseTo(500, 6);
    expect(peerSilenceHoldMs({ heartbeatInterval: 0.1, missedHeartbeats: 3 })).toBeCloseTo(700, 6);
    expect(echoSlackMs({ heartbeatInterval: 0.1, missedHeartbeats: 3 })).toBeCloseTo(600, 6);
  });

  it('for every setting, the echo slack ends before the backup may campaign, and the backup waits past its own silence limit', () => {
    for (const heartbeatInterval of [0.01, 0.05, 0.1, 1]) {
      for (let missedHeartbeats = 1; missedHeartbeats <= 100; missedHeartbeats++) {
        const haLink = { heartbeatInterval, missedHeartbeats };
        // The backup heard the echoed heartbeat at or after its send time; it campaigns no earlier than its last hearing + hold.
        expect(echoSlackMs(haLink)).toBeLessThan(peerSilenceHoldMs(haLink));
        expect(peerSilenceHoldMs(haLink)).toBeGreaterThan(missedHeartbeats * heartbeatInterval * 1000);
      }
    }
  });
});
