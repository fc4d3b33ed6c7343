import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LabPair, nodePid, type NodeId } from '@switchyard/lab';
import { hasTool, waitFor } from '@switchyard/sdk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logged, VIP, vipOnlyOn } from './support/lab-vip';
import { VipEvent, type VipStatus } from '../src/index';

/**
 * sip-iptakeover-monitoring on two hosts (lab namespaces, a real etcd, real
 * `switchyard node` agents): VIP 198.51.100.100/24 on sip0 of the primary's
 * host, the SIP service answering from it. Every packet stays inside the lab
 * namespaces: sipsak runs in the client namespace (198.51.100.254).
 */
const isRoot = process.getuid?.() === 0;
if (process.env.CI === 'true' && !isRoot) throw new Error('CI runs the two-host suites as root');
const canRun = isRoot && hasTool('ip') && hasTool('etcd') && hasTool('sipsak') && hasTool('arping');


/**
 * One OPTIONS over UDP from the client (198.51.100.254) to the VIP, by a
 * small Node script in the client namespace that prints the answer's status
 * and the address it came from (sipsak does not print the source; its
 * connected socket would only drop an answer from elsewhere).
 */
const OPTIONS_CLIENT = `
const s = require('node:dgram').createSocket('udp4');
let over = false;
const done = (r) => { if (over) return; over = true; process.stdout.write(JSON.stringify(r)); s.close(); };
setTimeout(() => done({ status: 0, from: null }), 2000).unref();
s.on('message', (m, r) => done({ status: Number(/^SIP\\/2\\.0 (\\d{3})/.exec(m.toString())?.[1] ?? 0), from: r.address }));
s.bind(0, '198.51.100.254', () => {
  const port = s.address().port;
  s.send('OPTIONS sip:ping@${VIP} SIP/2.0\\r\\nVia: SIP/2.0/UDP 198.51.100.254:' + port + ';branch=z9hG4bK' + Date.now() + ';rport\\r\\n' +
    'Max-Forwards: 70\\r\\nFrom: <sip:lab@198.51.100.254>;tag=1\\r\\nTo: <sip:ping@${VIP}>\\r\\nCall-ID: ' + Date.now() + '@lab\\r\\nCSeq: 1 OPTIONS\\r\\nContent-Length: 0\\r\\n\\r\\n', 5060, '${VIP}');
});`;

/** sipsak OPTIONS to the VIP (its status), and the source of the answer to the same request from a UDP client. */
async function optionsToVip(pair: LabPair): Promise<{ status: number | undefined; from: string | undefined; output: string }> {
  const r = await pair.lab.run('client', ['sipsak', '-vv', '-H', '198.51.100.254', '-s', `sip:ping@${VIP}`], { timeoutMs: 10_000 });
  const output = r.stdout + r.stderr;
  const status = /final received:\s*SIP\/2\.0 (\d{3})/.exec(output)?.[1] ?? /SIP\/2\.0 (\d{3})/.exec(output)?.[1];
  const probe = await pair.lab.run('client', [process.execPath, '-e', OPTIONS_CLIENT], { timeoutMs: 5_000 });
  let from: string | undefined;
  try {
    from = (JSON.parse(probe.stdout) as { from: string | null }).from ?? undefined;
  } catch {
    from = undefined;
  }
  return { status: status === undefined ? undefined : Number(status), from, output: `${output}\n${probe.stdout}${probe.stderr}` };
}

/** Waits until OPTIONS to the VIP gets 200 (from sipsak) and an answer from the VIP, and returns the answer. */
function optionsAnswered(pair: LabPair, timeoutMs = 15_000) {
  return waitFor(async () => {
    const answer = await optionsToVip(pair);
    return answer.status === 200 && answer.from !== undefined ? answer : undefined;
  }, timeoutMs, 'a 200 to OPTIONS sent to the VIP');
}

function statusOf(view: Awaited<ReturnType<LabPair['status']>>, node: NodeId) {
  return view?.nodes.find((n) => n.id === node);
}

describe.skipIf(!canRun)('sip-iptakeover-monitoring on two hosts, default scripts (root, namespaces, etcd)', () => {
  let pair: LabPair;

  beforeAll(async () => {
    pair = await LabPair.start({ etcdMembers: 1, plugins: { 'sip-iptakeover-monitoring': { vip: `${VIP}/24`, interface: 'sip0' } } });
  }, 60_000);

  afterAll(async () => {
    await pair?.destroy();
  }, 30_000);

  it('the VIP is on the primary\'s host only, and OPTIONS to it is answered 200 from the VIP', async () => {
    await vipOnlyOn(pair, 'sip-a');
    const answer = await optionsAnswered(pair);
    expect(answer.from, answer.output).toBe(VIP);
    const view = await pair.status();
    expect(statusOf(view, 'sip-a')?.sipIptakeoverMonitoring as VipStatus).toMatchObject({ vip: `${VIP}/24`, interface: 'sip0', present: true, listening: true, ok: true });
    expect(statusOf(view, 'sip-b')?.sipIptakeoverMonitoring as VipStatus).toMatchObject({ expected: 'absent', present: false, listening: false, ok: true });
  }, 30_000);

  it('the VIP deleted by hand on the primary: 00-52029, then 00-52030 and the VIP is back; added by hand on the backup: removed', async () => {
    const fromA = pair.nodeLog('sip-a').length;
    const del = await pair.lab.run('h1', ['ip', 'addr', 'del', `${VIP}/24`, 'dev', 'sip0']);
    expect(del.code, del.stderr).toBe(0);
    const failed = await logged(pair, 'sip-a', fromA, VipEvent.VipFailed);
    expect(failed).toMatchObject({ problem: 'missing', role: 'primary', level: 'error' });
    await logged(pair, 'sip-a', fromA, VipEvent.VipRestored);
    await vipOnlyOn(pair, 'sip-a');

    const fromB = pair.nodeLog('sip-b').length;
    const add = await pair.lab.run('h2', ['ip', 'addr', 'add', `${VIP}/24`, 'dev', 'sip0']);
    expect(add.code, add.stderr).toBe(0);
    expect(await logged(pair, 'sip-b', fromB, VipEvent.VipFailed)).toMatchObject({ problem: 'present-on-backup', role: 'backup' });
    await logged(pair, 'sip-b', fromB, VipEvent.VipRestored);
    await vipOnlyOn(pair, 'sip-a');
    expect((await optionsAnswered(pair)).from).toBe(VIP);
  }, 30_000);

  it('kill -9 of the primary\'s node process: the VIP moves to the other host and OPTIONS to it gets 200 from there', async () => {
    const view = await pair.status();
    const pid = nodePid(view!, 'sip-a');
    pair.lab.signal(pid, 'SIGKILL');
    await pair.waitForRoles(view!.arbiter.term, 20_000, 'sip-b');
    await vipOnlyOn(pair, 'sip-b');
    const answer = await optionsAnswered(pair);
    expect(answer.from, answer.output).toBe(VIP);
  }, 30_000);
});

describe.skipIf(!canRun)('sip-iptakeover-monitoring on two hosts, a custom add script that fails', () => {
  let pair: LabPair;
  let dir: string;

  beforeAll(async () => {
    // Root-owned, 0755 file in a 0755 folder: what the script-safety check accepts.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swy-vip-lab-'));
    fs.chmodSync(dir, 0o755);
    const add = path.join(dir, 'vip-add');
    const remove = path.join(dir, 'vip-remove');
    // Fails (exit 1) once the test creates the "fail" file, on sip-a only.
    fs.writeFileSync(add, `#!/bin/sh\n[ "$SWITCHYARD_NODE" = sip-a ] && [ -e ${dir}/fail ] && exit 1\nexec ip addr add "$SWITCHYARD_VIP" dev "$SWITCHYARD_VIP_INTERFACE"\n`);
    fs.writeFileSync(remove, '#!/bin/sh\nexec ip addr del "$SWITCHYARD_VIP" dev "$SWITCHYARD_VIP_INTERFACE"\n');
    for (const file of [add, remove]) fs.chmodSync(file, 0o755);
    pair = await LabPair.start({
      etcdMembers: 1,
      plugins: { 'sip-iptakeover-monitoring': { vip: `${VIP}/24`, scripts: { add: [add], remove: [remove] }, attempts: 3, checkInterval: 0.5 } },
    });
  }, 60_000);

  afterAll(async () => {
    await pair?.destroy();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('the VIP gone and the add script failing: unavailable after 3 attempts, switchover, the VIP on the other host', async () => {
    await vipOnlyOn(pair, 'sip-a');
    const from = pair.nodeLog('sip-a').length;
    fs.writeFileSync(path.join(dir, 'fail'), '');
    const del = await pair.lab.run('h1', ['ip', 'addr', 'del', `${VIP}/24`, 'dev', 'sip0']);
    expect(del.code, del.stderr).toBe(0);
    expect(await logged(pair, 'sip-a', from, VipEvent.VipFailed)).toMatchObject({ problem: 'missing' });
    await waitFor(() => pair.nodeLog('sip-a').slice(from).find((l) => l.eventId === '01-10001' && l.to === 'unavailable'), 10_000, 'sip-a unavailable');
    await waitFor(async () => (statusOf(await pair.status(), 'sip-b')?.role === 'primary' ? true : undefined), 20_000, 'sip-b primary');
    await vipOnlyOn(pair, 'sip-b');
    // As backup the VIP is right again on sip-a: 00-52030 and running.
    await logged(pair, 'sip-a', from, VipEvent.VipRestored);
    expect((await optionsAnswered(pair)).from).toBe(VIP);
  }, 40_000);
});
