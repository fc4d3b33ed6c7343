import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type winston from 'winston';
import { ManualClock } from '../src/clock';
import type { LogEventRecord } from '../src/events/catalogue';
import { escapeControlText } from '../src/logging/control-text';
import { closeWinstonLogger, createWinstonLogger, LOG_FILE_MODE, writeLogEvent } from '../src/logging/winston-logger';

const dirs: string[] = [];
const open: winston.Logger[] = [];
afterEach(async () => {
  for (const logger of open.splice(0)) await closeWinstonLogger(logger);
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swy-logs-'));
  dirs.push(dir);
  return dir;
}

function record(message: string, fields: Record<string, unknown> = {}, id = '01-10022'): LogEventRecord {
  return { id, level: 'error', message, fields, node: 'sip-a', term: 2, time: 0, owner: 'core' };
}

/** A peer's node id with terminal escapes (clear screen, retitle), a NUL and a forged second line. */
const HOSTILE = 'evil\x1b[2J\x1b]0;pwned\x07\u0000\r\n2026-01-01T00:00:00.000Z info  [sip-b t9] 01-10002 forged\u009b31m\u202e';

describe('escaping what a log line prints', () => {
  it('turns every control character into a visible escape and leaves printable text alone', () => {
    expect(escapeControlText(HOSTILE)).toBe(
      'evil\\x1b[2J\\x1b]0;pwned\\x07\\x00\\r\\n2026-01-01T00:00:00.000Z info  [sip-b t9] 01-10002 forged\\x9b31m\\u202e',
    );
    expect(escapeControlText('HA link to sip-b up (dialed) — ünïcode, tabs\tno')).toBe('HA link to sip-b up (dialed) — ünïcode, tabs\\tno');
  });
});

describe('log output (stdout mode for journald, files rotated by size)', () => {
  it('stdout mode: one line per event with its syslog priority, peer text escaped, and no file', async () => {
    const dir = tempDir();
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    const logger = createWinstonLogger({
      node: 'sip-a',
      level: 'info',
      file: path.join(dir, 'logs', 'sip-a.log'),
      logging: { output: 'stdout' },
      clock: new ManualClock(),
      stdout: out,
    });
    open.push(logger);
    writeLogEvent(logger, record(`HA link peer ${HOSTILE} failed authentication: unknown node`, { remote: '192.0.2.7:40000', nodeId: HOSTILE }));
    writeLogEvent(logger, { ...record('HA link to sip-b up (dialed)', { peer: 'sip-b' }, '01-10020'), level: 'info' });
    await vi.waitFor(() => expect(text.split('\n')).toHaveLength(3), { timeout: 2000, interval: 5 });

    expect(text.split('\n')).toEqual([
      `<3>ERROR [sip-a t2] 01-10022 HA link peer ${escapeControlText(HOSTILE)} failed authentication: unknown node`,
      '<6>INFO [sip-a t2] 01-10020 HA link to sip-b up (dialed)',
      '',
    ]);
    // nothing a terminal would act on
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
    expect(fs.existsSync(path.join(dir, 'logs'))).toBe(false);
  });

  it('stdout mode in a node process under an agent writes nothing itself: the agent writes its events', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    const node = createWinstonLogger({ node: 'sip-a', level: 'info', logging: { output: 'stdout' }, relayed: true, stdout: out });
    const agent = createWinstonLogger({ node: 'supervisor', level: 'info', logging: { output: 'stdout' }, stdout: out });
    open.push(node, agent);
    const event = record('HA link to sip-b down: reset', { peer: 'sip-b' }, '01-10021');
    writeLogEvent(node, event);
    writeLogEvent(agent, event);
    await vi.waitFor(() => expect(text).toContain('\n'), { timeout: 2000, interval: 5 });
    expect(text).toBe('<3>ERROR [sip-a t2] 01-10021 HA link to sip-b down: reset\n');
  });

  it('file mode: JSON lines in files of 0640, rotated by size with maxFiles kept (the oldest deleted), none lost to a burst', async () => {
    const dir = path.join(tempDir(), 'logs');
    const file = path.join(dir, 'sip-a.log');
    const logger = createWinstonLogger({
      node: 'sip-a',
      level: 'info',
      file,
      logging: { maxFileBytes: 4096, maxFiles: 3, rateLimit: { burst: 10_000, interval: 60 } },
      clock: new ManualClock(),
    });
    writeLogEvent(logger, record(`HA link peer ${HOSTILE} failed authentication`, { nodeId: HOSTILE }));
    // ~200 bytes a line, about 100 KiB in all (25 times the size limit), in one burst
    for (let i = 0; i < 500; i++) writeLogEvent(logger, record(`line ${String(i).padStart(4, '0')} ${'x'.repeat(80)}`, { seq: i }));
    await closeWinstonLogger(logger);

    expect(fs.readdirSync(dir).sort()).toEqual(['sip-a.log', 'sip-a.log.1', 'sip-a.log.2']);
    for (const name of fs.readdirSync(dir)) {
      const stat = fs.statSync(path.join(dir, name));
      expect(stat.size, name).toBeLessThanOrEqual(4096);
      expect(stat.mode & 0o777, name).toBe(LOG_FILE_MODE & ~process.umask());
    }
    expect(fs.statSync(dir).mode & 0o777 & 0o007).toBe(0);
    // the newest lines are in the current file, the oldest were deleted
    const current = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { seq: number });
    expect(current.at(-1)!.seq).toBe(499);
    const kept = ['sip-a.log.2', 'sip-a.log.1', 'sip-a.log'].flatMap((n) => fs.readFileSync(path.join(dir, n), 'utf8').trim().split('\n'));
    // nothing lost between the kept files: one run of consecutive lines up to the last
    const seqs = kept.map((l) => (JSON.parse(l) as { seq: number }).seq);
    expect(seqs.length).toBeGreaterThan(40);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => 500 - seqs.length + i));
  });

  it('file mode: the first line (with the hostile node id) holds no raw control character', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'sip-a.log');
    const logger = createWinstonLogger({ node: 'sip-a', level: 'info', file, clock: new ManualClock() });
    writeLogEvent(logger, record(`HA link peer ${HOSTILE} failed authentication`, { nodeId: HOSTILE }));
    await closeWinstonLogger(logger);
    const raw = fs.readFileSync(file, 'utf8');
    expect(raw.trim().split('\n')).toHaveLength(1);
    expect(raw).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
    const line = JSON.parse(raw) as Record<string, unknown>;
    expect(line).toMatchObject({ eventId: '01-10022', node: 'sip-a', nodeId: escapeControlText(HOSTILE), message: `HA link peer ${escapeControlText(HOSTILE)} failed authentication` });
  });

  it('narrows a log file an older version left readable by all to 0640', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'sip-a.log');
    fs.writeFileSync(file, '');
    fs.chmodSync(file, 0o666);
    const logger = createWinstonLogger({ node: 'sip-a', level: 'info', file, clock: new ManualClock() });
    await closeWinstonLogger(logger);
    expect(fs.statSync(file).mode & 0o777).toBe(LOG_FILE_MODE);
  });
});

describe('escaping keeps the shape of structured fields', () => {
  it('escapes strings inside plain objects and arrays, and leaves a Date as JSON writes it', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'sip-a.log');
    const logger = createWinstonLogger({ node: 'sip-a', level: 'info', file, clock: new ManualClock() });
    const at = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));
    writeLogEvent(logger, record('peer said hello', { peers: ['a\nb', { id: 'c\u001bd' }], at, count: 3 }));
    await closeWinstonLogger(logger);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toMatchObject({ peers: ['a\\nb', { id: 'c\\x1bd' }], at: '2026-01-02T03:04:05.000Z', count: 3 });
  });
});
