import type { Clock } from '@switchyard/sdk';
import type { LeaderRecord } from './cluster-view';
import type { EtcdElection } from './election';

/** What the arbiter uses of {@link EtcdElection} (a test may hand it another). */
export type ElectionPort = Pick<
  EtcdElection,
  'connected' | 'leaseId' | 'leaseConfirmedAt' | 'leader' | 'leaderCurrent' | 'highestTerm' | 'peers' | 'start' | 'stop' | 'campaign' | 'resign' | 'revoke' | 'publish' | 'send'
>;

/** The term as this agent knows it: the leader key's, or a higher one seen since (terms only grow). */
export function currentTerm(election: Pick<ElectionPort, 'highestTerm' | 'leader'>): number {
  return Math.max(election.highestTerm, election.leader?.term ?? 0);
}

/**
 * Resolves with the first leader `match` accepts, checking every 20 ms; null
 * once `timeoutMs` has passed or `stopped()` says the agent is stopping.
 */
export function waitForLeader(
  election: Pick<ElectionPort, 'leader'>,
  clock: Clock,
  match: (leader: LeaderRecord) => boolean,
  timeoutMs: number,
  stopped: () => boolean,
): Promise<LeaderRecord | null> {
  return new Promise<LeaderRecord | null>((resolve) => {
    const started = clock.monotonic();
    const check = clock.setInterval(() => {
      const leader = election.leader;
      if (leader && match(leader)) {
        check.cancel();
        resolve(leader);
      } else if (clock.monotonic() - started > timeoutMs || stopped()) {
        check.cancel();
        resolve(null);
      }
    }, 20);
  });
}
