import fs from 'node:fs';
import path from 'node:path';
import { LabPair, nodePid, type NodeId } from '@switchyard/lab';
import { hasTool, waitFor } from '@switchyard/sdk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOST_OF, logged, OTHER, VIP, vipOnlyOn } from './support/lab-vip';

/**
 * sip-iptakeover-monitoring on two hosts with SIP clients that only know
 * the VIP: SIPp registers and queries through 198.51.100.100, the pair
 * fails over under it (kill -9, then the SIP NIC set down with
 * sip-nic-monitoring on). The steps run in order on one pair, each from
 * the state the previous one left. Every packet stays inside the lab namespaces.
 */
const isRoot = process.getuid?.() === 0;
if (process.env.CI === 'true' && !isRoot) throw new Error('CI runs the two-host suites as root');
const canRun = isRoot && hasTool('ip') && hasTool('etcd') && hasTool('sipp') && hasTool('arping');

const VIP_TARGET = `${VIP}:5060`;
const USERS = 500;
/** sip-nic-monitoring's events (that package is not a dependency of this one). */
const SIP_NIC_FAILED = '00-52027';
const SIP_NIC_RESTORED = '00-52028';
const SCENARIOS = path.join(path.dirname(require.resolve('@switchyard/plugin-sip/package.json')), 'scenarios');
const scenario = (name: string) => path.join(SCENARIOS, name);

function nodeShows(pair: LabPair, node: NodeId, role: 'primary' | 'backup', status: 'running' | 'unavailable', timeoutMs = 20_000) {
  return waitFor(async () => {
    const v = await pair.status();
    const n = v?.nodes.find((x) => x.id === node);
    return n?.role === role && n.status === status ? v : undefined;
  }, timeoutMs, `${node} ${status} as ${role}`);
}

describe.skipIf(!canRun)('sip-iptakeover-monitoring on two hosts, SIPp through the VIP (root, namespaces, etcd)', () => {
  let pair: LabPair;
  let primary: NodeId = 'sip-a';

  beforeAll(async () => {
    pair = await LabPair.start({
      etcdMembers: 1,
      plugins: { 'sip-iptakeover-monitoring': { vip: `${VIP}/24`, interface: 'sip0' }, 'sip-nic-monitoring': true },
    });
  }, 60_000);

  afterAll(async () => {
    await pair?.destroy();
  }, 30_000);

  it(`${USERS} users registered through the VIP; kill -9 of the primary: the VIP on the other host, and a query through the VIP finds all ${USERS}`, async () => {
    await vipOnlyOn(pair, 'sip-a');
    const reg = await pair.sipp(scenario('register.xml'), VIP_TARGET, USERS);
    expect(reg.code, pair.sippErrors('register.xml')).toBe(0);
    await waitFor(async () => {
      const b = (await pair.status())?.nodes.find((n) => n.id === 'sip-b') as { sip?: { bindings?: number } } | undefined;
      return b?.sip?.bindings === USERS ? true : undefined;
    }, 15_000, `${USERS} bindings on the backup`);

    const before = (await pair.status())!;
    pair.lab.signal(nodePid(before, 'sip-a'), 'SIGKILL');
    await pair.waitForRoles(before.arbiter.term, 20_000, 'sip-b');
    primary = 'sip-b';
    await vipOnlyOn(pair, 'sip-b');

    const messages = path.join(pair.dir, 'query.messages.log');
    const query = await pair.sipp(scenario('query.xml'), VIP_TARGET, USERS, ['-trace_msg', '-message_file', messages]);
    expect(query.code, pair.sippErrors('query.xml')).toBe(0);
    const trace = fs.readFileSync(messages, 'utf8');
    const found = new Set([...trace.matchAll(/Contact:\s*<sip:user(\d+)@198\.51\.100\.254:\d+[^>]*>;expires=(\d+)/g)].map((m) => m[1]));
    expect(found.size).toBe(USERS);
  }, 90_000);

  it("the primary's SIP NIC set down: 00-52027, switchover, the VIP on the other host; set up: 00-52028, the node running as backup", async () => {
    const failing = primary;
    const host = HOST_OF[failing];
    // The node killed in the step before is back as a running backup first.
    await nodeShows(pair, OTHER[failing], 'backup', 'running', 30_000);
    const from = pair.nodeLog(failing).length;
    const down = await pair.lab.run(host, ['ip', 'link', 'set', 'sip0', 'down']);
    expect(down.code, down.stderr).toBe(0);
    try {
      expect(await logged(pair, failing, from, SIP_NIC_FAILED)).toMatchObject({ interface: 'sip0', level: 'error' });
      await nodeShows(pair, OTHER[failing], 'primary', 'running');
      await vipOnlyOn(pair, OTHER[failing]);
    } finally {
      await pair.lab.run(host, ['ip', 'link', 'set', 'sip0', 'up']);
    }
    await logged(pair, failing, from, SIP_NIC_RESTORED);
    await nodeShows(pair, failing, 'backup', 'running');
    await vipOnlyOn(pair, OTHER[failing]);
  }, 60_000);
});
