import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  assertBuilt,
  clusterStatus,
  hasTool,
  readNodeLog,
  startUp,
  waitFor,
  waitForPair,
  type UpProcess,
} from '@switchyard/sdk/testing';
import { CoreEvent } from '@switchyard/sdk';
import { PassCheckEvent } from '../src/index';
import { freeUdpPort, passCheckOf, writePassCheckPairConfig } from './support/pair';
import { startDeviceUas, startOptionsUac, type RunningPeer } from './support/peers';

const tools = hasTool('sipp');
if (process.env.CI === 'true' && !tools) throw new Error('CI runs the SIPp pair suite: install sip-tester (sipp)');
/** oosCheck 0.5 + max(oosForce 0.5, 5) */
const T = 5.5;
const sleep = (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

/**
 * Real processes (`switchyard up`: supervisor, two nodes, real HA link and
 * SIP listeners), real time, and SIPp as the service device and as a SIP
 * client.
 */
describe.skipIf(!tools)('sip-pass-check with a real pair and SIPp', () => {
  let up: UpProcess | undefined;
  const peers: RunningPeer[] = [];
  beforeAll(() => {
    assertBuilt();
    const built = path.resolve(__dirname, '../dist/index.js');
    if (!fs.existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` (npm test does it) first`);
  });
  afterEach(async () => {
    for (const peer of peers.splice(0)) await peer.kill();
    expect(await up?.stop()).toBe(0);
    up = undefined;
  });

  it('switches over about T after the device stops answering, and not while the device or a SIP client talks to the primary', { timeout: 90_000 }, async () => {
    const devicePort = await freeUdpPort();
    const uri = `sip:device@127.0.0.1:${devicePort}`;
    const pair = await writePassCheckPairConfig({ serviceDevices: [{ uri, oosCheck: 0.5, oosForce: 0.5 }] });
    const device = () => {
      const peer = startDeviceUas(devicePort, pair.dir);
      peers.push(peer);
      return peer;
    };
    const passCheck = async (id: string) => passCheckOf((await clusterStatus(pair.file)).nodes.find((n) => n.id === id));
    const deviceState = async (id: string) => (await passCheck(id))?.devices[0]?.state;

    let uas = device();
    up = startUp(pair.file);
    const first = await waitForPair(pair.file);
    await waitFor(async () => ((await deviceState(first.primary.id)) === 'in-service' ? true : undefined), 10_000, 'the device in service');
    expect(await passCheck(first.primary.id)).toMatchObject({ baseTimeout: T, timeout: T, multiplier: 1, lastCause: null });

    // 1. SIPp answers: no switchover for longer than T.
    await sleep(T + 1);
    let view = await clusterStatus(pair.file);
    expect(view.arbiter).toMatchObject({ term: first.primary.term, primary: first.primary.id });

    // 2. SIPp killed, no other SIP traffic: the pair switches over about T later.
    await uas.kill();
    const killedAt = Date.now();
    const second = await waitForPair(pair.file, first.primary.term + 1, (T + 8) * 1000);
    // 3. (at once, before the new primary's own T runs out) SIPp answers again.
    uas = device();
    expect(second.primary.id).toBe(first.backup.id);
    const switchover = readNodeLog(pair.runtimeDir, 'supervisor').find(
      (l) => l.eventId === CoreEvent.Switchover && Date.parse(String(l.timestamp)) >= killedAt,
    );
    expect(switchover, 'the supervisor logged the switchover').toBeDefined();
    const afterKill = (Date.parse(String(switchover!.timestamp)) - killedAt) / 1000;
    expect(afterKill).toBeGreaterThanOrEqual(T - 0.5);
    expect(afterKill).toBeLessThanOrEqual(T + 3);
    const verdict = readNodeLog(pair.runtimeDir, first.primary.id).find((l) => l.eventId === PassCheckEvent.UnavailableBySilence);
    expect(verdict).toMatchObject({ timeout: T, multiplier: 1 });
    expect(Number(verdict!.silence)).toBeGreaterThanOrEqual(T);

    await waitFor(async () => ((await deviceState(second.primary.id)) === 'in-service' ? true : undefined), 5_000, 'the device back in service on the new primary');
    // its answers are SIP traffic: the guard is at rest again
    expect(await passCheck(second.primary.id)).toMatchObject({ multiplier: 1, lastCause: null });
    await sleep(T + 1);
    view = await clusterStatus(pair.file);
    expect(view.arbiter).toMatchObject({ term: second.primary.term, primary: second.primary.id });

    // 4. Device down again, but a SIP client sends OPTIONS to the primary for longer than T: no switchover.
    await uas.kill();
    const primaryPort = pair.ports[second.primary.id as 'sip-a' | 'sip-b'];
    const calls = Math.ceil((T + 2.5) * 2);
    const uac = startOptionsUac(primaryPort, pair.dir, { calls, rate: 2, maxSeconds: 20 });
    peers.push(uac);
    await waitFor(async () => ((await deviceState(second.primary.id)) === 'out-of-service' ? true : undefined), 5_000, 'the device out of service');
    const code = await uac.done(25_000);
    expect(code, uac.output()).toBe(0);
    view = await clusterStatus(pair.file);
    expect(view.arbiter).toMatchObject({ term: second.primary.term, primary: second.primary.id });
    expect(await passCheck(second.primary.id)).toMatchObject({ devices: [{ uri, state: 'out-of-service' }] });
  });
});
