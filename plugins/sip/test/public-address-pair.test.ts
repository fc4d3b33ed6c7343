import dgram from 'node:dgram';
import fs from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, clusterStatus, freePort, hasTool, isAlive, runCli, startUp, waitFor, waitForPair, type UpProcess } from '@switchyard/sdk/testing';
import { runSipp } from './support/peers';
import { holdUdp, releaseUdp, sipOf, writeSipPairConfig, type SipPairConfig } from '../src/testing';

const USERS = 500;
const tools = hasTool('sipp');
/** `arbiter.switchTimeout` of the test pair: how long a frozen primary goes unnoticed. */
const SWITCH_TIMEOUT_S = 1;

/** Temp folders of this file's pairs, removed after each test. */
const dirs: string[] = [];

/** A single-host pair with one public SIP address and fencing, as examples/single-host runs it. */
async function publicPair(sip: Record<string, unknown> = {}): Promise<SipPairConfig & { publicPort: number }> {
  const publicPort = await freePort();
  const pair = await writeSipPairConfig({
    sip: { public: { host: '127.0.0.1', port: publicPort }, ...sip },
    config: { arbiter: { kind: 'embedded', switchTimeout: SWITCH_TIMEOUT_S, startupTimeout: 5, fence: true } },
  });
  dirs.push(pair.dir);
  return { ...pair, publicPort };
}

/** Waits until `nodeId` is the running primary holding the public address and the other node is a running backup without it. */
async function holder(file: string, minTerm = 1): Promise<{ primary: string; backup: string; primaryPid: number; term: number }> {
  return waitFor(
    async () => {
      const { primary, backup } = await waitForPair(file, minTerm);
      return sipOf(primary)?.public?.held === true && sipOf(backup)?.public?.held === false && sipOf(backup)?.listening
        ? { primary: primary.id, backup: backup.id, primaryPid: primary.pid!, term: primary.term }
        : undefined;
    },
    20_000,
    'the primary to hold the public address',
  );
}

/**
 * OPTIONS over UDP to one port every `intervalMs`, each answer recorded
 * with the time its request was sent and where the answer came from.
 */
class OptionsProbe {
  private readonly socket = dgram.createSocket('udp4');
  private timer: NodeJS.Timeout | undefined;
  private seq = 0;
  private readonly sent = new Map<number, number>();
  readonly answers: { sentAt: number; status: number; from: string }[] = [];

  constructor(private readonly port: number) {}

  async start(intervalMs: number): Promise<void> {
    this.socket.on('message', (msg, rinfo) => {
      const text = msg.toString('latin1');
      const seq = Number(/Call-ID: probe-(\d+)/.exec(text)?.[1] ?? -1);
      const sentAt = this.sent.get(seq);
      if (sentAt === undefined) return;
      this.answers.push({ sentAt, status: Number(/^SIP\/2\.0 (\d{3})/.exec(text)?.[1] ?? 0), from: `${rinfo.address}:${rinfo.port}` });
    });
    await new Promise<void>((resolve) => this.socket.bind(0, '127.0.0.1', () => resolve()));
    this.timer = setInterval(() => this.send(), intervalMs);
  }

  /** Requests sent before `before` that got no answer. */
  unanswered(before: number): number {
    const answered = new Set(this.answers.map((a) => a.sentAt));
    return [...this.sent.values()].filter((at) => at < before && !answered.has(at)).length;
  }

  /** Requests sent so far. */
  get count(): number {
    return this.sent.size;
  }

  stop(): Promise<void> {
    clearInterval(this.timer);
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  private send(): void {
    const seq = ++this.seq;
    const local = (this.socket.address() as { port: number }).port;
    this.sent.set(seq, performance.now());
    const text = [
      `OPTIONS sip:probe@127.0.0.1:${this.port} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${local};branch=z9hG4bK-pub-${seq}`,
      `From: <sip:probe@127.0.0.1>;tag=p${seq}`,
      'To: <sip:probe@127.0.0.1>',
      `Call-ID: probe-${seq}`,
      'CSeq: 1 OPTIONS',
      'Max-Forwards: 70',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    this.socket.send(text, this.port, '127.0.0.1');
  }
}

/**
 * Issue 17: one SIP address for a single-host pair. Only the primary listens
 * on it; a crash, a freeze (the frozen primary is fenced) and a manual
 * switchover move it to the other node, and SIPp pointed at that one
 * address keeps working.
 */
describe.skipIf(!tools)('single-host pair behind one public SIP address (SIPp)', () => {
  let up: UpProcess | undefined;
  let probe: OptionsProbe | undefined;
  let frozen: number | undefined;
  let blocker: dgram.Socket | undefined;
  beforeAll(() => assertBuilt());
  afterEach(async () => {
    if (blocker) await releaseUdp(blocker);
    blocker = undefined;
    await probe?.stop();
    probe = undefined;
    if (frozen !== undefined && isAlive(frozen)) process.kill(frozen, 'SIGKILL');
    frozen = undefined;
    const code = await up?.stop();
    up = undefined;
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
    expect(code).toBe(0);
  });

  it(`registers ${USERS} users through the public address, and after kill -9 of the primary the same address finds all ${USERS}`, async () => {
    const pair = await publicPair();
    up = startUp(pair.file);
    const first = await holder(pair.file);
    expect(up.output()).toMatch(new RegExp(`00-04203 SIP public address 127\\.0\\.0\\.1:${pair.publicPort} \\(udp\\+tcp\\) now served by ${first.primary}`));

    // answers to requests sent to the public address come from it
    probe = new OptionsProbe(pair.publicPort);
    await probe.start(50);
    const answer = await waitFor(() => probe!.answers[0], 5_000, 'an answer through the public address');
    expect(answer).toMatchObject({ status: 200, from: `127.0.0.1:${pair.publicPort}` });
    await probe.stop();
    probe = undefined;

    const register = await runSipp('register.xml', pair.publicPort, { calls: USERS, rate: 250, dir: pair.dir });
    expect(register.code, register.stdout + register.stderr).toBe(0);
    await waitFor(async () => {
      const backup = (await clusterStatus(pair.file)).nodes.find((n) => n.id === first.backup);
      return sipOf(backup)?.bindings === USERS && sipOf(backup)?.replication.inSync ? true : undefined;
    }, 10_000, `${USERS} bindings on the backup`);

    process.kill(first.primaryPid, 'SIGKILL');
    const query = await runSipp('query.xml', pair.publicPort, { calls: USERS, rate: 250, dir: pair.dir, traceMessages: true });
    expect(query.code, query.stdout + query.stderr).toBe(0);
    const found = new Set<number>();
    for (const m of query.messages().matchAll(/Contact:\s*<sip:user(\d+)@127\.0\.0\.1:\d+[^>]*>;expires=\d+/g)) found.add(Number(m[1]));
    expect(found.size).toBe(USERS);
    const after = await holder(pair.file, first.term + 1);
    expect(after.primary).toBe(first.backup);
  });

  it('SIGSTOP of the primary: the frozen node is fenced and the public address answers 200 from the other node within the freeze bound', async () => {
    const pair = await publicPair();
    up = startUp(pair.file);
    const first = await holder(pair.file);
    probe = new OptionsProbe(pair.publicPort);
    await probe.start(10);
    await waitFor(() => probe!.answers.find((a) => a.status === 200), 5_000, 'the primary to answer through the public address');

    frozen = first.primaryPid;
    const stoppedAt = performance.now();
    process.kill(frozen, 'SIGSTOP');
    // A request sent after the SIGSTOP cannot be answered by the frozen node: a 200 to it is the other node's.
    const served = await waitFor(() => probe!.answers.find((a) => a.sentAt > stoppedAt && a.status === 200), 10_000, 'a 200 through the public address');
    expect(served.from).toBe(`127.0.0.1:${pair.publicPort}`);
    // The freeze bound: switchTimeout and one heartbeat check (a tenth of it), plus slack for a busy 2-core CI host (the bench measures it).
    expect(served.sentAt - stoppedAt).toBeLessThan(SWITCH_TIMEOUT_S * 1100 + 1000);

    await waitFor(() => (isAlive(frozen!) ? undefined : true), 5_000, 'the frozen primary to be killed');
    expect(up.output()).toMatch(new RegExp(`01-10048 Node ${first.primary} \\(pid ${frozen}\\) fenced: killed with SIGKILL so that ${first.backup} can take over`));
    expect(up.output()).toMatch(new RegExp(`01-10042 Node ${first.primary} \\(pid ${frozen}\\) missed heartbeats`));
    const after = await holder(pair.file, first.term + 1);
    expect(after.primary).toBe(first.backup);
    // fenced, then restarted as backup as usual
    const view = await clusterStatus(pair.file);
    expect(view.nodes.find((n) => n.id === first.primary)).toMatchObject({ role: 'backup', status: 'running', restarts: 1 });
  });

  it('a manual switchover moves the public address with no failed SIPp call at 200 calls/s, and no UDP request goes unanswered', async () => {
    const pair = await publicPair();
    up = startUp(pair.file);
    const first = await holder(pair.file);
    // OPTIONS every 2 ms beside SIPp, without retransmission: the agent's socket holds what arrives during the handover.
    probe = new OptionsProbe(pair.publicPort);
    await probe.start(2);
    const calls = 1200;
    const register = runSipp('register.xml', pair.publicPort, { calls, rate: 200, dir: pair.dir, user: 'moving' });
    // Switch over once SIPp's calls are flowing through the primary.
    await waitFor(async () => {
      const primary = (await clusterStatus(pair.file)).nodes.find((n) => n.id === first.primary);
      return (sipOf(primary)?.bindings ?? 0) >= 200 ? true : undefined;
    }, 15_000, 'SIPp traffic on the primary');
    const switched = await runCli(['switchover', '--config', pair.file, '--reason', 'public address test']);
    expect(switched.code, switched.stderr).toBe(0);
    const result = await register;
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Failed call\s*\|\s*0\s*\|\s*0\s/);
    const after = await holder(pair.file, first.term + 1);
    expect(after.primary).toBe(first.backup);
    const settledAt = performance.now();
    await waitFor(() => (probe!.answers.some((a) => a.sentAt > settledAt) ? true : undefined), 5_000, 'probes answered after the switchover');
    expect(probe.count).toBeGreaterThan(1000);
    expect(probe.unanswered(settledAt)).toBe(0);
    expect(probe.answers.every((a) => a.status === 200 && a.from === `127.0.0.1:${pair.publicPort}`)).toBe(true);
  });

  it('another program on the public address: 01-10049 and 00-04200 with the reason, the role alternates, and the node that binds once it is free keeps it', async () => {
    const pair = await publicPair({ bindRetryInterval: 0.3 });
    blocker = await holdUdp(pair.publicPort);
    up = startUp(pair.file);
    await waitForPair(pair.file);
    const failed = new RegExp(
      `00-04200 Cannot open SIP listening port 127\\.0\\.0\\.1:${pair.publicPort}/udp \\(EADDRINUSE\\), the pair's public address, which only the primary holds: another socket holds it`,
    );
    await waitFor(() => (failed.test(up!.output()) ? true : undefined), 10_000, '00-04200 for the public address');
    // the agent could not bind it either, so it hands nothing over and the primary binds it itself
    expect(up.output()).toMatch(new RegExp(`01-10049 Agent could not bind primary socket sip\\.public 127\\.0\\.0\\.1:${pair.publicPort}/udp \\(EADDRINUSE\\)`));
    const primaries = new Set<string>();
    await waitFor(async () => {
      const v = await clusterStatus(pair.file);
      if (v.arbiter.primary) primaries.add(v.arbiter.primary);
      return primaries.size === 2 ? true : undefined;
    }, 15_000, 'the primary role to alternate');
    // both nodes stay running members of the pair meanwhile, each on its own port
    const meanwhile = await clusterStatus(pair.file);
    expect(meanwhile.nodes.map((n) => [n.status, sipOf(n)?.listening])).toEqual([['running', true], ['running', true]]);

    await releaseUdp(blocker);
    blocker = undefined;
    const settled = await holder(pair.file);
    expect(up.output()).toMatch(new RegExp(`00-04203 SIP public address 127\\.0\\.0\\.1:${pair.publicPort} \\(udp\\+tcp\\) now served by ${settled.primary}`));
    // it keeps the role: watched over more than three retry intervals, the same node at the same term
    const watchUntil = Date.now() + 1_000;
    for (;;) {
      const v = await clusterStatus(pair.file);
      expect([v.arbiter.primary, v.arbiter.term]).toEqual([settled.primary, settled.term]);
      if (Date.now() > watchUntil) break;
    }
  });
});
