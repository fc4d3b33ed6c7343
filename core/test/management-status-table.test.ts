import { describe, expect, it } from 'vitest';
import { renderStatusTable } from '../src/management/status-table';
import type { ClusterStatusView } from '../src/management/types';

describe('renderStatusTable', () => {
  it('renders the header line and one aligned row per node', () => {
    const view: ClusterStatusView = {
      cluster: 'lab',
      arbiter: { kind: 'embedded', term: 12, primary: 'sip-a', connected: true },
      nodes: [
        { id: 'sip-a', role: 'primary', status: 'running', pid: 4121, term: 12, lastHeartbeat: 0.42, restarts: 0 },
        { id: 'sip-backup', role: 'backup', status: 'starting', pid: 98765, term: 11, lastHeartbeat: 75, restarts: 3, sip: { calls: 2 } },
      ],
    };
    expect(renderStatusTable(view)).toBe(
      [
        'cluster lab · arbiter embedded · term 12 · primary sip-a',
        'NODE         ROLE      STATUS     PID     TERM   HEARTBEAT   RESTARTS',
        'sip-a        primary   running    4121    12     0.4s        0',
        'sip-backup   backup    starting   98765   11     1m15s       3',
      ].join('\n'),
    );
  });

  it('shows unknown values as - and no primary as none', () => {
    const view: ClusterStatusView = {
      cluster: 'lab',
      arbiter: { kind: 'etcd', term: 0, primary: null, connected: false },
      nodes: [
        { id: 'a', role: null, status: 'down', pid: null, term: 0, lastHeartbeat: null, restarts: 5 },
        { id: 'b', role: 'backup', status: 'unresponsive', pid: 7, term: 0, lastHeartbeat: 7300, restarts: 0 },
      ],
    };
    expect(renderStatusTable(view).split('\n')).toEqual([
      'cluster lab · arbiter etcd · term 0 · primary none · arbiter unreachable from the agent that answered',
      'NODE   ROLE     STATUS         PID   TERM   HEARTBEAT   RESTARTS',
      'a      -        down           -     0      -           5',
      'b      backup   unresponsive   7     0      2h01m       0',
    ]);
  });
});
