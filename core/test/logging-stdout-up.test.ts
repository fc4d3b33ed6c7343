import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, startUp, tempDir, waitFor, waitForPair, writePairConfig, type UpProcess } from '../src/testing/processes';

/** `switchyard up` with `logging.output: 'stdout'`, as a systemd unit runs it: real processes. */
describe('stdout log mode for journald (real processes)', () => {
  let up: UpProcess | undefined;
  const dirs: string[] = [];
  beforeAll(() => assertBuilt());
  afterEach(async () => {
    await up?.stop();
    up = undefined;
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes each event once on stdout with its syslog priority, and no log file', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const config = await writePairConfig(dir, { logging: { output: 'stdout' } });
    up = startUp(config);
    await waitForPair(config);
    const bothLinks = () => /01-10020 HA link to sip-a up/.test(up!.output()) && /01-10020 HA link to sip-b up/.test(up!.output());
    await waitFor(() => (bothLinks() ? true : undefined), 10_000, 'both ends of the HA link up');
    expect(await up.stop()).toBe(0);
    const events = up
      .output()
      .split('\n')
      .filter((l) => /\b\d{2}-\d{5}\b/.test(l));

    // every event line is a journald line: <priority>LEVEL [node tTERM] id message
    expect(events.length).toBeGreaterThan(10);
    for (const line of events) expect(line).toMatch(/^<[3467]>(ERROR|WARN|INFO|DEBUG) \[[\w-]+( t\d+)?\] \d{2}-\d{5} /);
    // each once: a node's own event is written by the agent only, and no console view repeats it
    const once = (pattern: RegExp) => expect(events.filter((l) => pattern.test(l)), String(pattern)).toHaveLength(1);
    once(/^<6>INFO \[sip-a t1\] 01-10002 Node sip-a role backup -> primary \(term 1\)/);
    // The link may come up before or after the initial roles (term 0 or 1 in the tag): a race of the start, not of logging.
    once(/^<6>INFO \[sip-a t[01]\] 01-10020 HA link to sip-b up/);
    once(/^<6>INFO \[sip-b t[01]\] 01-10020 HA link to sip-a up/);
    once(/^<6>INFO \[supervisor t1\] 01-10014 Initial roles: sip-a primary, sip-b backup \(term 1\)/);
    expect(up.output()).not.toMatch(/^status /m);
    expect(fs.existsSync(path.join(dir, '.switchyard', 'logs'))).toBe(false);
  });

  it('`up --log-stdout` does the same without touching the config', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const config = await writePairConfig(dir);
    const started = startUp(config, ['--log-stdout']);
    up = started;
    await waitForPair(config);
    await waitFor(() => (/01-10020 HA link to sip-a up/.test(started.output()) ? true : undefined), 10_000, 'the HA link up');
    expect(await started.stop()).toBe(0);
    expect(started.output()).toMatch(/^<6>INFO \[sip-b t[01]\] 01-10020 HA link to sip-a up/m);
    expect(fs.existsSync(path.join(dir, '.switchyard', 'logs'))).toBe(false);
  });
});
