import { SystemClock } from '@switchyard/sdk';
import { EtcdElection, type EtcdElectionOptions } from '../../src/index';

/** A message an election received, in order. */
export interface Received {
  from: string;
  body: unknown;
}

/** An election under test, with what its callbacks saw. */
export interface TestElection {
  election: EtcdElection;
  received: Received[];
  changes(): number;
  /** `connected` as each change notification saw it, in order (a flap shows as a false). */
  connectedSeen: boolean[];
}

/**
 * Creates elections for one test and stops them all afterwards (in
 * afterEach, also when the test failed), so no lease or timer outlives it.
 */
export class Elections {
  private readonly made: EtcdElection[] = [];

  create(options: Partial<EtcdElectionOptions> & Pick<EtcdElectionOptions, 'endpoints' | 'prefix' | 'nodeId'>): TestElection {
    const received: Received[] = [];
    const connectedSeen: boolean[] = [];
    let changes = 0;
    const election: EtcdElection = new EtcdElection({
      leaseTtl: 2,
      clock: new SystemClock(),
      ...options,
      onChange: () => {
        changes++;
        connectedSeen.push(election.connected);
      },
      onMessage: (from, body) => received.push({ from, body }),
    });
    this.made.push(election);
    return { election, received, changes: () => changes, connectedSeen };
  }

  /** Starts an election and waits until it holds a lease. */
  async started(options: Parameters<Elections['create']>[0]): Promise<TestElection> {
    const made = this.create(options);
    await made.election.start();
    const deadline = Date.now() + 5000;
    while (made.election.leaseId === null) {
      if (Date.now() > deadline) throw new Error(`${options.nodeId} got no lease within 5 s`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return made;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.made.splice(0).map((e) => e.stop({ revoke: true })));
  }
}

let prefixes = 0;
/** A prefix of its own for each test, so tests on one etcd do not see each other. */
export function freshPrefix(): string {
  return `/switchyard/test-${process.pid}-${++prefixes}/`;
}
