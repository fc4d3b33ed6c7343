import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ManualClock } from '@switchyard/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { CredentialsFile, DigestEvent, LINES_PER_TURN, parseCredentialsFile, parseCredentialsInTurns, readCredentials } from '../src/index';
import { ha1Line } from './support/udp-client';

const dirs: string[] = [];
const files: CredentialsFile[] = [];
afterEach(() => {
  for (const f of files.splice(0)) f.stop();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempFile(text: string, mode = 0o600): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-digest-file-'));
  dirs.push(dir);
  const file = path.join(dir, 'users.ha1');
  fs.writeFileSync(file, text, { mode });
  fs.chmodSync(file, mode);
  return file;
}

/** Waits (bounded) until `condition` holds. */
async function until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('credentials file format', () => {
  it('reads user:realm:algorithm:HA1 lines, comments and blank lines, a realm with colons, hex in any case', () => {
    const sha = ha1Line('SHA-256', 'alice', 'sip:example.com', 'pw');
    const md5 = ha1Line('MD5', 'bob', 'r', 'pw').toUpperCase().replace('BOB:R:MD5', 'bob:r:MD5');
    const table = parseCredentialsFile(`# users\n\n${sha}\r\n  ${md5}  \n`, '/etc/users.ha1');
    expect([...table.keys()].length).toBe(2);
    expect(table.get('alice\u0000sip:example.com\u0000SHA-256')).toBe(sha.split(':').at(-1));
    expect(table.get('bob\u0000r\u0000MD5')).toBe(md5.split(':').at(-1)!.toLowerCase());
  });

  it.each([
    ['alice:r:MD5', '3 fields where 4 are needed'],
    [':r:MD5:' + '0'.repeat(32), 'the user is empty'],
    ['alice::MD5:' + '0'.repeat(32), 'the realm is empty'],
    ['alice:r:SHA-1:' + '0'.repeat(40), 'the algorithm is not MD5 or SHA-256'],
    ['alice:r:MD5:' + '0'.repeat(64), 'the HA1 is not 32 hex digits'],
    ['alice:r:SHA-256:secretpassword', 'the HA1 is not 64 hex digits (a SHA-256 hash; never put a password in this file)'],
  ])('refuses %j with SWY_ERR_DIGEST_CREDENTIALS_LINE naming the file and line', (line, why) => {
    const text = `${ha1Line('MD5', 'ok', 'r', 'pw')}\n# comment\n${line}\n`;
    let thrown: unknown;
    try {
      parseCredentialsFile(text, '/etc/users.ha1');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'SWY_ERR_DIGEST_CREDENTIALS_LINE' });
    expect((thrown as Error).message).toContain(`/etc/users.ha1:3: ${why}`);
  });

  it('refuses a second line for the same user, realm and algorithm', () => {
    const line = ha1Line('MD5', 'alice', 'r', 'pw');
    expect(() => parseCredentialsFile(`${line}\n${line}\n`, 'f')).toThrow(/f:2: user alice has a second MD5 line for realm r/);
  });

  it('a missing file is SWY_ERR_DIGEST_CREDENTIALS_READ naming it', () => {
    expect(() => readCredentials('/nonexistent/users.ha1')).toThrow(expect.objectContaining({ code: 'SWY_ERR_DIGEST_CREDENTIALS_READ', message: expect.stringContaining('/nonexistent/users.ha1 cannot be read (ENOENT)') }));
  });
});

describe('a reload parses in turns (issue 16: no reload blocks the loop for its whole size)', () => {
  const users = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ha1Line('MD5', `u${from + i}`, 'r', 'pw')).join('\n');

  it('gives the table the one-turn parser gives, yielding every LINES_PER_TURN lines', async () => {
    const text = `${users(LINES_PER_TURN * 2 + 500)}\n`;
    let turns = 0;
    const table = await parseCredentialsInTurns(text, 'f', async () => {
      turns++;
    });
    expect(turns).toBe(2);
    expect([...table.entries()]).toEqual([...parseCredentialsFile(text, 'f').entries()]);
  });

  it('names a malformed line of a later turn by its number in the file', async () => {
    const text = `${users(LINES_PER_TURN + 10)}\nalice:r:MD5:hunter2\n`;
    await expect(parseCredentialsInTurns(text, 'f')).rejects.toMatchObject({
      code: 'SWY_ERR_DIGEST_CREDENTIALS_LINE',
      message: expect.stringContaining(`f:${LINES_PER_TURN + 11}:`),
    });
  });

  it('a node answers from the previous users while a large file is being parsed, and the loop turns meanwhile', async () => {
    const file = tempFile(`${users(10)}\n`);
    const store = new CredentialsFile(file, { clock: new ManualClock(), emit: () => undefined, reloadIntervalMs: 5_000 });
    files.push(store);
    store.start();
    fs.writeFileSync(file, `${users(LINES_PER_TURN * 10, 1_000_000)}\n`);
    const seen: boolean[] = []; // per loop turn during the reload: the new users visible yet?
    let done = false;
    const reload = store.reload().then(() => {
      done = true;
    });
    while (!done) {
      seen.push(store.lookup('u1000000', 'r', 'MD5') !== undefined);
      expect(store.lookup('u0', 'r', 'MD5')).toBeDefined(); // the old users until the new table is whole
      await new Promise((resolve) => setImmediate(resolve));
    }
    await reload;
    expect(seen.filter((v) => !v).length).toBeGreaterThanOrEqual(9); // at least a turn between each part
    expect(seen.some((v) => v)).toBe(false);
    expect(store.lookup('u1000000', 'r', 'MD5')).toBeDefined();
    expect(store.lookup('u0', 'r', 'MD5')).toBeUndefined();
    expect(store.count).toBe(LINES_PER_TURN * 10);
  });
});

describe('CredentialsFile reloads', () => {
  function watched(file: string, clock = new ManualClock()) {
    const events: { id: string; fields: Record<string, unknown> }[] = [];
    const store = new CredentialsFile(file, { clock, emit: (id, fields) => events.push({ id, fields }), reloadIntervalMs: 5_000 });
    files.push(store);
    store.start();
    return { store, events, clock };
  }

  it('sees an edit and an atomic replace at once; a malformed version keeps the previous users and says why (00-04272)', async () => {
    const file = tempFile(`${ha1Line('MD5', 'alice', 'r', 'pw')}\n`);
    const { store, events } = watched(file);
    expect(events.map((e) => e.id)).toEqual([DigestEvent.CredentialsLoaded]);
    expect(store.lookup('alice', 'r', 'MD5')).toBeDefined();

    fs.writeFileSync(file, `${ha1Line('MD5', 'alice', 'r', 'pw')}\n${ha1Line('MD5', 'bob', 'r', 'pw')}\n`);
    await until(() => store.lookup('bob', 'r', 'MD5') !== undefined, 'bob to be loaded after an edit');

    fs.writeFileSync(`${file}.tmp`, `${ha1Line('MD5', 'bob', 'r', 'pw')}\nalice:r:MD5:hunter2\n`);
    fs.renameSync(`${file}.tmp`, file);
    await until(() => events.some((e) => e.id === DigestEvent.CredentialsRejected), 'the malformed file to be reported');
    const rejected = events.find((e) => e.id === DigestEvent.CredentialsRejected)!;
    expect(rejected.fields).toMatchObject({ file, code: 'SWY_ERR_DIGEST_CREDENTIALS_LINE', kept: 2 });
    expect(rejected.fields.reason).toContain(`${file}:2:`);
    expect(JSON.stringify(rejected)).not.toContain('hunter2');
    expect(store.lookup('alice', 'r', 'MD5')).toBeDefined(); // the previous set stays

    fs.writeFileSync(`${file}.tmp`, `${ha1Line('MD5', 'carol', 'r', 'pw')}\n`);
    fs.renameSync(`${file}.tmp`, file);
    await until(() => store.lookup('carol', 'r', 'MD5') !== undefined, 'carol after the fix');
    expect(store.lookup('alice', 'r', 'MD5')).toBeUndefined();
    expect(store.count).toBe(1);
  });

  it('a removed file keeps the users loaded (00-04272 once), and its return is loaded again', async () => {
    const file = tempFile(`${ha1Line('MD5', 'alice', 'r', 'pw')}\n`);
    const { store, events, clock } = watched(file);
    fs.rmSync(file);
    await until(() => events.some((e) => e.id === DigestEvent.CredentialsRejected), 'the removal to be reported');
    await clock.advance(20_000); // safety-net stats: no repeat of the report
    expect(events.filter((e) => e.id === DigestEvent.CredentialsRejected)).toHaveLength(1);
    expect(events.find((e) => e.id === DigestEvent.CredentialsRejected)!.fields).toMatchObject({ code: 'SWY_ERR_DIGEST_CREDENTIALS_READ' });
    expect(store.lookup('alice', 'r', 'MD5')).toBeDefined();
    fs.writeFileSync(file, `${ha1Line('MD5', 'dave', 'r', 'pw')}\n`);
    await until(() => store.lookup('dave', 'r', 'MD5') !== undefined, 'dave after the file came back');
  });

  it('warns (00-04274) when group or others may read the file', () => {
    const { events } = watched(tempFile(`${ha1Line('MD5', 'alice', 'r', 'pw')}\n`, 0o644));
    expect(events.find((e) => e.id === DigestEvent.CredentialsExposed)?.fields).toMatchObject({ mode: '0644' });
    const quiet = watched(tempFile(`${ha1Line('MD5', 'alice', 'r', 'pw')}\n`, 0o600));
    expect(quiet.events.map((e) => e.id)).toEqual([DigestEvent.CredentialsLoaded]);
  });

  it('a file that is malformed at start fails the start with the coded error', () => {
    const file = tempFile('alice:r:MD5:plaintext\n');
    const store = new CredentialsFile(file, { clock: new ManualClock(), emit: () => undefined, reloadIntervalMs: 5_000 });
    files.push(store);
    expect(() => store.start()).toThrow(expect.objectContaining({ code: 'SWY_ERR_DIGEST_CREDENTIALS_LINE' }));
  });
});
