// A separate agent process for tests that must kill or outlive one: runs an
// EtcdElection from the built package. Argument: JSON
// { endpoints, prefix, nodeId, leaseTtl, mode: 'hold' | 'stop' }. Writes one JSON line per event.
//  - hold: campaigns until it leads, then reports each confirmed keepalive
//    (`confirmedWall`: the send time on the wall clock) until killed;
//  - stop: uses every call once, stops with revoke, and must then exit by itself.
'use strict';
require('reflect-metadata'); // @switchyard/sdk loads tsyringe
const path = require('node:path');
const { SystemClock } = require('@switchyard/sdk');
const { EtcdElection } = require(path.resolve(__dirname, '../../dist/index.js'));

const config = JSON.parse(process.argv[2]);
const say = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);
const clock = new SystemClock();
const election = new EtcdElection({ ...config, clock });

async function until(condition, ms) {
  const deadline = Date.now() + ms;
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  return condition();
}

async function hold() {
  await election.start();
  for (;;) {
    if (await until(() => election.leaseId !== null, 5000)) {
      const result = await election.campaign().catch(() => ({ won: false }));
      if (result.won) {
        say({ event: 'won', term: result.leader.term, leaseId: election.leaseId });
        break;
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  let last = null;
  // This interval keeps the process alive until the test kills it.
  setInterval(() => {
    const at = election.leaseConfirmedAt;
    if (at !== null && at !== last) {
      last = at;
      // The send time on the wall clock the test reads.
      say({ event: 'confirmed', confirmedWall: Date.now() - (clock.monotonic() - at) });
    }
  }, 5);
}

async function stopOnly() {
  await election.start();
  if (await until(() => election.leaseId !== null, config.waitLeaseMs ?? 5000)) {
    await election.campaign();
    await election.publish({ up: true });
    await election.send(config.nodeId, { hello: 1 });
  }
  await election.stop({ revoke: true });
  say({ event: 'stopped', connected: election.connected });
}

(config.mode === 'hold' ? hold() : stopOnly()).catch((error) => {
  say({ event: 'error', message: String(error && error.stack) });
  process.exitCode = 1;
});
