import fs from 'node:fs';
import path from 'node:path';
import { hasTool, waitFor } from '@switchyard/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lab, LabPair, SIP, lostRegistrations, queryRegistrations, startSippRegisterLoad } from '../src/index';
import { canRun } from './helpers';

// Evaluated even when the lab cannot run: under CI a missing sipp fails instead of skipping.
const withSipp = hasTool('sipp') && canRun;
const RESPONDER = path.join(__dirname, 'fixtures', 'register-responder.cjs');

/** What the scripted registrar did with one REGISTER (status 0: it never answered). */
interface Answer {
  k: number;
  user: string;
  status: number;
  expires?: number;
}

describe.skipIf(!withSipp)('the SIPp REGISTER load against a scripted registrar', () => {
  let lab: Lab;

  beforeAll(async () => {
    lab = await Lab.create({ etcdMembers: 0 });
  });
  afterAll(async () => {
    await lab?.destroy();
  });

  it('records every 200 with the expiry it granted (a refresh replaces the entry), and counts the rest', async () => {
    const answers: Answer[] = [];
    let listening = false;
    const responder = lab.spawn('h1', [process.execPath, RESPONDER, lab.hosts.h1.sipAddress, '5060'], {
      onLine: (line, stream) => {
        if (stream !== 'stdout') return;
        const parsed = JSON.parse(line) as Answer | { listening: true };
        if ('listening' in parsed) listening = true;
        else answers.push(parsed);
      },
    });
    await waitFor(() => (listening ? true : undefined), 10_000, 'the scripted registrar to listen');

    const startedAt = Date.now();
    const load = startSippRegisterLoad(lab, 'client', {
      from: lab.client.sipAddress,
      target: `${lab.hosts.h1.sipAddress}:5060`,
      domain: 'lab.test',
      rate: 20,
      seconds: 60,
      prefix: 't1u',
      expires: 3600,
      dir: lab.dir,
    });
    // REGISTER 6 is never answered: its timeout line comes 4 s after it was sent.
    await waitFor(() => (load.counts.acked >= 30 && load.counts.timedOut >= 1 ? true : undefined), 30_000, '30 REGISTER 200s and a timeout');
    await load.stop();
    const stoppedAt = Date.now();
    // A clean stop (SIGUSR1), not the SIGKILL after 15 s.
    expect((await load.proc.exited).signal).toBeNull();
    // SIPp's log holds every call's start line and one final line.
    const lines = fs.readFileSync(path.join(lab.dir, 'register-load.log'), 'utf8').trim().split('\n');
    const started = lines.filter((l) => l.startsWith('start;')).length;
    expect(lines.length).toBe(2 * started);
    // The registrar printed each REGISTER before answering it; its output may still be on its way here.
    await waitFor(() => (answers.length >= started ? true : undefined), 5_000, `the scripted registrar's record of ${started} REGISTERs`);
    expect(answers.length).toBe(started);
    responder.kill('SIGTERM');
    await responder.exited;

    const ok = answers.filter((a) => a.status === 200);
    expect(load.counts).toEqual({
      acked: ok.length,
      rejected: answers.filter((a) => a.status === 503 || a.status === 423).length,
      timedOut: answers.filter((a) => a.status === 0).length,
    });
    expect(answers.some((a) => a.status === 423)).toBe(true);
    // The latest 200 of each user, with the expiry it said (Contact expires= or the Expires header).
    const latest = new Map<string, number>();
    for (const a of ok) latest.set(a.user, a.expires!);
    expect(new Map([...load.acked].map(([user, r]) => [user, r.expires]))).toEqual(latest);
    expect(ok.some((a) => a.k % 13 === 9)).toBe(true);
    // A refresh: a user answered 200 twice is recorded with the second 200.
    const refreshed = ok.find((a, i) => ok.slice(0, i).some((b) => b.user === a.user));
    expect(refreshed, 'a user answered 200 twice').toBeDefined();
    expect(load.acked.get(refreshed!.user)?.expires).toBe(latest.get(refreshed!.user));
    for (const r of load.acked.values()) {
      expect(r.user).toMatch(/^t1u\d+$/);
      expect(r.at).toBeGreaterThanOrEqual(startedAt);
      expect(r.at).toBeLessThanOrEqual(stoppedAt);
    }
  });
});

describe.skipIf(!withSipp)('the SIPp REGISTER load against a real pair', () => {
  let pair: LabPair;

  beforeAll(async () => {
    pair = await LabPair.start({ etcdMembers: 1 });
  }, 60_000);
  afterAll(async () => {
    await pair?.destroy();
  });

  it("gets a 200 for every REGISTER, each user's latest one is on the primary with its expiry, a refresh holds one binding", async () => {
    const load = startSippRegisterLoad(pair.lab, 'client', {
      from: pair.lab.client.sipAddress,
      target: SIP['sip-a'],
      domain: '198.51.100.1',
      rate: 20,
      seconds: 60,
      prefix: 't2u',
      expires: 3600,
      dir: pair.dir,
    });
    await waitFor(() => (load.counts.acked >= 25 ? true : undefined), 30_000, '25 REGISTER 200s from sip-a');
    await load.stop();
    const calls = load.counts.acked;
    expect(load.counts).toEqual({ acked: calls, rejected: 0, timedOut: 0 });
    // Every fifth call refreshed an earlier user: its entry was replaced, not added.
    expect(load.acked.size).toBe(calls - Math.floor(calls / 5));
    for (const r of load.acked.values()) expect(r.expires).toBe(3600);

    const users = [...load.acked.keys()];
    const found = await queryRegistrations(pair.lab, 'client', { from: pair.lab.client.sipAddress, target: SIP['sip-a'], domain: '198.51.100.1', users, dir: pair.dir });
    expect(lostRegistrations(load.acked.values(), found, Date.now(), 2)).toEqual([]);
    expect(users.filter((u) => found.get(u)?.expires.length !== 1)).toEqual([]);
  });
});
