import fs from 'node:fs';
import path from 'node:path';
import type dgram from 'node:dgram';
import type { Alarm } from '@switchyard/sdk';
import { assertBuilt, clusterStatus, ManagementClient, readNodeLog, runCli, startUp, tempDir, waitFor, type AlarmListView, type UpProcess } from '@switchyard/sdk/testing';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { holdUdp, release, writeAlarmPairConfig } from './support/pair';
import { startReceiver } from './support/receiver';

const ID = 'sip-listener-down@sip-a';

/**
 * Real processes: `switchyard up` with the SIP plugin, a SIP port held by
 * this test (00-04200 on sip-a), a webhook receiver and an exec script.
 */
describe('alarms on a real pair', () => {
  let up: UpProcess | undefined;
  const held: dgram.Socket[] = [];
  const closers: (() => Promise<void>)[] = [];
  beforeAll(() => assertBuilt());
  afterEach(async () => {
    await Promise.all(held.splice(0).map(release));
    if (up) expect(await up.stop()).toBe(0);
    up = undefined;
    await Promise.all(closers.splice(0).map((close) => close()));
  });

  it('a bind failure raises the 00-04200 alarm once (webhook, exec), survives a supervisor restart without firing again, and an operator clears it', async () => {
    const receiver = await startReceiver();
    closers.push(receiver.close);
    const scripts = tempDir('switchyard-alarm-script-');
    const script = path.join(scripts, 'record.sh');
    const calls = path.join(scripts, 'calls.log');
    fs.writeFileSync(script, '#!/bin/sh\necho "$SWITCHYARD_ALARM_STATE $SWITCHYARD_ALARM_ID $SWITCHYARD_ALARM_EVENT $SWITCHYARD_ALARM_NODE" >> "$1"\n');
    fs.chmodSync(script, 0o755);
    const pair = await writeAlarmPairConfig({
      conditions: [
        {
          id: 'sip-listener-down',
          detect: ['00-04200'],
          severity: 'critical',
          reactions: ['page-ops', 'record'],
          clearanceReactions: ['page-ops'],
        },
      ],
      reactions: {
        'page-ops': { kind: 'webhook', url: receiver.url, timeout: 2, retries: 1 },
        record: { kind: 'exec', command: script, args: [calls], timeout: 5 },
      },
    });
    const { management } = JSON.parse(fs.readFileSync(pair.file, 'utf8')) as { management: { host: string; port: number } };
    const api = new ManagementClient({ host: management.host, port: management.port, timeoutMs: 2_000 });
    const alarm = async (): Promise<Alarm | undefined> => (await api.alarms()).active.find((a) => a.id === ID);
    const execLines = () => (fs.existsSync(calls) ? fs.readFileSync(calls, 'utf8').trim().split('\n') : []);

    held.push(await holdUdp(pair.ports['sip-a']));
    up = startUp(pair.file);

    // raised: once, with repeats only counted
    await waitFor(async () => ((await alarm())?.count ?? 0) >= 3 ? true : undefined, 20_000, 'the alarm to repeat three times');
    await waitFor(() => (receiver.received.length >= 1 && execLines().length >= 1 ? true : undefined), 5_000, 'the reactions');
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]!.body).toMatchObject({
      id: ID,
      condition: 'sip-listener-down',
      node: 'sip-a',
      severity: 'critical',
      eventId: '00-04200',
      state: 'raised',
      message: expect.stringMatching(new RegExp(`^Cannot open SIP listening port 127\\.0\\.0\\.1:${pair.ports['sip-a']}/udp \\(EADDRINUSE\\)`)),
    });
    expect(execLines()).toEqual([`raised ${ID} 00-04200 sip-a`]);
    expect(up.output()).toMatch(/ERROR \[sip-a t\d+\] 01-10070 Alarm sip-listener-down@sip-a raised \(critical\) by 00-04200 on sip-a: Cannot open SIP/);

    const listed = await runCli(['alarms', 'list', '--json', '--config', pair.file]);
    expect(listed.code).toBe(0);
    const before = (JSON.parse(listed.stdout) as AlarmListView).active.find((a) => a.id === ID)!;
    expect(before).toMatchObject({ state: 'active', severity: 'critical', node: 'sip-a', eventId: '00-04200' });
    const table = await runCli(['alarms', 'list', '--config', pair.file]);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID +SEVERITY +NODE +COUNT +FIRST +LAST +EVENT +MESSAGE$/);
    expect(table.stdout).toMatch(new RegExp(`^${ID} +critical +sip-a +\\d+ `, 'm'));

    // restart the supervisor: the alarm is listed again, counting goes on, no reaction fires twice
    expect(await up.stop()).toBe(0);
    up = startUp(pair.file);
    const restored = await waitFor(
      async () => {
        const a = await alarm();
        return a && a.count > before.count + 2 ? a : undefined;
      },
      20_000,
      'the restored alarm to count new detections',
    );
    expect(restored.firstSeen).toBe(before.firstSeen);
    expect(readNodeLog(pair.runtimeDir, 'supervisor').some((l) => l.eventId === '01-10078' && /1 active/.test(l.message))).toBe(true);
    expect(receiver.received).toHaveLength(1);
    expect(execLines()).toHaveLength(1);

    // the operator frees the port, then clears the alarm
    await release(held.splice(0)[0]!);
    await waitFor(async () => ((await clusterStatus(pair.file)).nodes.find((n) => n.id === 'sip-a') as { sip?: { listening: boolean } })?.sip?.listening ? true : undefined, 10_000, 'sip-a to bind');
    const unknown = await runCli(['alarms', 'clear', 'nope@sip-a', '--config', pair.file]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('[SWY_ERR_ALARM_NOT_FOUND]');
    const cleared = await runCli(['alarms', 'clear', ID, '--by', 'alice', '--config', pair.file]);
    expect({ code: cleared.code, stdout: cleared.stdout }).toEqual({ code: 0, stdout: `alarm ${ID} cleared by alice\n` });
    const after = JSON.parse((await runCli(['alarms', 'list', '--json', '--config', pair.file])).stdout) as AlarmListView;
    expect(after.active.find((a) => a.id === ID)).toBeUndefined();
    expect(after.cleared[0]).toMatchObject({ id: ID, state: 'cleared', clearReason: 'operator', clearedBy: 'alice' });
    await waitFor(() => (receiver.received.length >= 2 ? true : undefined), 5_000, 'the clearance POST');
    expect(receiver.received[1]!.body).toMatchObject({ id: ID, state: 'cleared', clearedBy: 'alice' });
    expect(up.output()).toMatch(/01-10073 Alarm sip-listener-down@sip-a cleared \(operator by alice\)/);
    expect(execLines()).toHaveLength(1); // `record` is not a clearance reaction
  });
});
