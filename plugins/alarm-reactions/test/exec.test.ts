import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ManualClock, validateConfig, type AlarmReaction } from '@switchyard/sdk';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AlarmReactionEvent, execReaction, type AlarmReactionError } from '../src/index';
import { failure, fakeContext, never, sampleAlarm } from './support/context';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) {
    fs.chmodSync(dir, 0o700);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** A folder of our own (0700, in the sticky /tmp) with an executable sh script. */
function script(body: string, mode = 0o755): { dir: string; file: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swy-exec-'));
  made.push(dir);
  const file = path.join(dir, 'react.sh');
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`);
  fs.chmodSync(file, mode);
  return { dir, file };
}

function create(options: Record<string, unknown>, ctx = fakeContext()): { reaction: AlarmReaction; ctx: ReturnType<typeof fakeContext> } {
  const parsed = execReaction.options.parse(options);
  return { reaction: execReaction.create(parsed, ctx), ctx };
}


describe('exec reaction (real commands)', () => {
  it('runs the command with its arguments and the alarm in SWITCHYARD_ALARM_* variables, and logs its output', async () => {
    const { dir, file } = script('env | grep "^SWITCHYARD_ALARM_" | sort > "$1"\necho "paged $2"');
    const out = path.join(dir, 'env.txt');
    const { reaction, ctx } = create({ command: file, args: [out, 'team voice'] });
    await reaction.raised!(sampleAlarm(), never);

    const env = Object.fromEntries(
      fs
        .readFileSync(out, 'utf8')
        .trim()
        .split('\n')
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    expect(env).toEqual({
      SWITCHYARD_ALARM_ID: 'sip-listener-down@sip-a',
      SWITCHYARD_ALARM_CONDITION: 'sip-listener-down',
      SWITCHYARD_ALARM_SEVERITY: 'critical',
      SWITCHYARD_ALARM_NODE: 'sip-a',
      SWITCHYARD_ALARM_EVENT: '00-04200',
      SWITCHYARD_ALARM_MESSAGE: 'Cannot open SIP listening port 127.0.0.1:5060/udp (EADDRINUSE); retrying every 5s',
      SWITCHYARD_ALARM_COUNT: '2',
      SWITCHYARD_ALARM_STATE: 'raised',
      SWITCHYARD_ALARM_FIRST_SEEN: '2025-01-01T12:00:00.000Z',
      SWITCHYARD_ALARM_LAST_SEEN: '2025-01-01T12:00:05.000Z',
    });
    // one argument stays one argument: no shell splits "team voice"
    expect(ctx.events).toEqual([
      {
        id: AlarmReactionEvent.ExecDone,
        fields: expect.objectContaining({ reaction: 'test-reaction', command: file, alarm: 'sip-listener-down@sip-a', change: 'raised', stdout: 'paged team voice', stderr: '' }),
      },
    ]);

    await reaction.cleared!(sampleAlarm({ state: 'cleared' }), never);
    expect(fs.readFileSync(out, 'utf8')).toContain('SWITCHYARD_ALARM_STATE=cleared');
  });

  it('fails with SWY_ERR_ALARM_EXEC_FAILED on a non-zero exit, logging the exit code and stderr (bounded)', async () => {
    const { file } = script('head -c 10000 /dev/zero | tr "\\0" x >&2\nexit 3');
    const { reaction, ctx } = create({ command: file, retries: 0 });
    const error = await failure(reaction.raised!(sampleAlarm(), never));
    expect(error.code).toBe('SWY_ERR_ALARM_EXEC_FAILED');
    expect(error.message).toContain('exit code 3');
    const event = ctx.events.find((e) => e.id === AlarmReactionEvent.ExecFailed)!;
    expect(event.fields.reason).toBe('exit code 3');
    expect(String(event.fields.stderr)).toMatch(/^x{4096}… \[5904 more bytes\]$/);
  });

  it('kills a command that hangs at its timeout, with its children, and logs it', async () => {
    const { dir, file } = script('echo $$ > "$1"\nsleep 30\necho never');
    const pidFile = path.join(dir, 'pid');
    const { reaction, ctx } = create({ command: file, args: [pidFile], timeout: 1 });
    const started = Date.now();
    const error = await failure(reaction.raised!(sampleAlarm(), never));
    const elapsed = Date.now() - started;
    expect(error.code).toBe('SWY_ERR_ALARM_EXEC_TIMEOUT');
    // killed at 1 s; the `sleep` child did not keep its pipes open for 30 s
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(4000);
    expect(ctx.events.map((e) => e.id)).toEqual([AlarmReactionEvent.ExecKilled]);
    expect(ctx.events[0]!.fields.why).toBe('timeout of 1s');
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));
    expect(() => process.kill(pid, 0)).toThrow();
  });

  it('kills the command when the alarm engine aborts the reaction', async () => {
    const { file } = script('sleep 30');
    const { reaction, ctx } = create({ command: file, timeout: 60 });
    const abort = new AbortController();
    const run = reaction.raised!(sampleAlarm(), abort.signal);
    setTimeout(() => abort.abort(new Error('reaction timed out')), 200);
    const error = await failure(run);
    expect(error.message).toBe('reaction timed out');
    expect(ctx.events[0]).toMatchObject({ id: AlarmReactionEvent.ExecKilled, fields: { why: 'the alarm engine aborted the reaction' } });
  });

  it('times its kill with the injected clock', async () => {
    const clock = new ManualClock();
    const { file } = script('sleep 30');
    const { reaction } = create({ command: file, timeout: 5 }, fakeContext({ clock }));
    let settled = false;
    const run = failure(reaction.raised!(sampleAlarm(), never)).finally(() => (settled = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(settled).toBe(false);
    await clock.advance(5000);
    expect((await run).code).toBe('SWY_ERR_ALARM_EXEC_TIMEOUT');
  });
});

/** What a peer could put into an event's text: terminal escapes (clear, retitle), a NUL, a forged line, a bidi override. */
const PEER_TEXT = 'HA link peer evil\x1b[2J\x1b]0;pwned\x07\u0000\n00-04200 forged\u202e failed authentication';

describe('exec reaction: text from events in the environment', () => {
  it('runs with a record carrying a NUL and terminal escapes: every SWITCHYARD_ALARM_* value arrives escaped, one line each', async () => {
    const { dir, file } = script('printf "%s" "$SWITCHYARD_ALARM_MESSAGE" > "$1"\nprintf "%s" "$SWITCHYARD_ALARM_NODE" > "$2"');
    const message = path.join(dir, 'message.txt');
    const node = path.join(dir, 'node.txt');
    const { reaction, ctx } = create({ command: file, args: [message, node], retries: 0 });
    await reaction.raised!(sampleAlarm({ message: PEER_TEXT, node: 'sip-\u0000a\x1b[31m' }), never);

    expect(ctx.events.map((e) => e.id)).toEqual([AlarmReactionEvent.ExecDone]);
    expect(fs.readFileSync(message, 'utf8')).toBe('HA link peer evil\\x1b[2J\\x1b]0;pwned\\x07\\x00\\n00-04200 forged\\u202e failed authentication');
    expect(fs.readFileSync(node, 'utf8')).toBe('sip-\\x00a\\x1b[31m');
  });

  it('cuts a huge message (the kernel would refuse to start the command over 128 KiB) and says how much was cut', async () => {
    const { dir, file } = script('printf "%s" "$SWITCHYARD_ALARM_MESSAGE" > "$1"');
    const out = path.join(dir, 'message.txt');
    const { reaction, ctx } = create({ command: file, args: [out], retries: 0 });
    await reaction.raised!(sampleAlarm({ message: 'y'.repeat(200_000) }), never);
    expect(ctx.events.map((e) => e.id)).toEqual([AlarmReactionEvent.ExecDone]);
    expect(fs.readFileSync(out, 'utf8')).toBe(`${'y'.repeat(4096)}…[+${200_000 - 4096} chars]`);
  });
});

describe('exec reaction: a failed run is retried per retries/backoff (injected clock)', () => {
  /** Waits (bounded) until the reaction has emitted `count` events. */
  const eventsReach = (ctx: ReturnType<typeof fakeContext>, count: number) =>
    vi.waitFor(() => expect(ctx.events.length).toBeGreaterThanOrEqual(count), { timeout: 10_000, interval: 10 });

  it('runs again after `backoff` when a run fails, and succeeds then', async () => {
    const clock = new ManualClock();
    const { dir, file } = script('echo run >> "$1"\nif [ "$(wc -l < "$1")" -ge 2 ]; then echo second; exit 0; fi\necho first >&2\nexit 4');
    const runs = path.join(dir, 'runs');
    const { reaction, ctx } = create({ command: file, args: [runs], retries: 2, backoff: 5 }, fakeContext({ clock }));
    let settled = false;
    const run = reaction.raised!(sampleAlarm(), never).finally(() => (settled = true));

    await eventsReach(ctx, 1);
    expect(ctx.events[0]).toMatchObject({
      id: AlarmReactionEvent.ExecRetry,
      fields: { reason: 'exit code 4', attempt: 1, attempts: 3, delay: 5, stderr: 'first' },
    });
    await clock.advance(4_999);
    expect(settled).toBe(false);
    expect(fs.readFileSync(runs, 'utf8')).toBe('run\n');
    await clock.advance(1);
    await run;
    expect(ctx.events.map((e) => e.id)).toEqual([AlarmReactionEvent.ExecRetry, AlarmReactionEvent.ExecDone]);
    expect(ctx.events[1]!.fields).toMatchObject({ attempt: 2, stdout: 'second' });
  });

  it('gives up after `retries` more runs, waiting backoff, then twice as long: 01-20011 once, SWY_ERR_ALARM_EXEC_FAILED', async () => {
    const clock = new ManualClock();
    const { dir, file } = script('echo run >> "$1"\nexit 3');
    const runs = path.join(dir, 'runs');
    const { reaction, ctx } = create({ command: file, args: [runs], retries: 2, backoff: 1 }, fakeContext({ clock }));
    const run = failure(reaction.raised!(sampleAlarm(), never));
    await eventsReach(ctx, 1);
    await clock.advance(1_000);
    await eventsReach(ctx, 2);
    expect(ctx.events[1]!.fields).toMatchObject({ attempt: 2, delay: 2 });
    await clock.advance(2_000);
    const error = await run;
    expect(error.code).toBe('SWY_ERR_ALARM_EXEC_FAILED');
    expect(error.message).toBe(`${file} failed (3 attempts): exit code 3.`);
    expect(ctx.events.map((e) => e.id)).toEqual([AlarmReactionEvent.ExecRetry, AlarmReactionEvent.ExecRetry, AlarmReactionEvent.ExecFailed]);
    expect(fs.readFileSync(runs, 'utf8')).toBe('run\nrun\nrun\n');
  });

  it('treats a command that spawn refuses to start (a NUL in an argument) as a failed run: reported with its code and retried, not a stray TypeError', async () => {
    const clock = new ManualClock();
    const { file } = script('true');
    // the schema refuses such an argument; create() on raw options shows what the runner does if one gets through
    expect(() => execReaction.options.parse({ command: file, args: ['a\u0000b'] })).toThrow('args cannot hold a NUL character');
    const ctx = fakeContext({ clock });
    const reaction = execReaction.create({ command: file, args: ['a\u0000b'], timeout: 10, retries: 1, backoff: 1 }, ctx);
    const run = failure(reaction.raised!(sampleAlarm(), never));
    await eventsReach(ctx, 1);
    expect(ctx.events[0]).toMatchObject({ id: AlarmReactionEvent.ExecRetry, fields: { reason: 'it could not be started (ERR_INVALID_ARG_VALUE)', attempt: 1 } });
    await clock.advance(1_000);
    const error = await run;
    expect(error.code).toBe('SWY_ERR_ALARM_EXEC_FAILED');
    expect(ctx.events.map((e) => e.id)).toEqual([AlarmReactionEvent.ExecRetry, AlarmReactionEvent.ExecFailed]);
  });

  it('does not run again after a timeout, nor after the alarm engine aborts during the wait', async () => {
    const clock = new ManualClock();
    const { file } = script('exit 1');
    const { reaction, ctx } = create({ command: file, retries: 3, backoff: 30 }, fakeContext({ clock }));
    const abort = new AbortController();
    const run = failure(reaction.raised!(sampleAlarm(), abort.signal));
    await eventsReach(ctx, 1);
    abort.abort(new Error('reaction timed out'));
    expect((await run).message).toBe('reaction timed out');
    await clock.advance(60_000);
    expect(ctx.events.map((e) => e.id)).toEqual([AlarmReactionEvent.ExecRetry]);
  });
});

describe('exec reaction: script security (as keepalived)', () => {
  it('refuses a world-writable command when it is created, with SWY_ERR_ALARM_EXEC_UNSAFE', () => {
    const { file } = script('true', 0o777);
    let thrown: AlarmReactionError | undefined;
    try {
      execReaction.create({ command: file, args: [], timeout: 10, retries: 0, backoff: 1 }, fakeContext({ name: 'notify' }));
    } catch (error) {
      thrown = error as AlarmReactionError;
    }
    expect(thrown?.code).toBe('SWY_ERR_ALARM_EXEC_UNSAFE');
    expect(thrown?.message).toBe(`Alarm reaction notify refuses to run ${file}: ${file} is writable by others (mode 0777); run chmod o-w on it.`);
    expect(thrown?.remedy).toContain('keepalived');
  });

  it('refuses, in config validation, a command in a world-writable folder, a relative path, a missing file and a file that is not executable', async () => {
    const { dir: open, file: inOpen } = script('true');
    fs.chmodSync(open, 0o777);
    const { file: plain } = script('true', 0o644);
    const configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'swy-exec-config-'));
    made.push(configDir);
    const config = {
      cluster: 'demo',
      nodes: [
        { id: 'a', host: '127.0.0.1', haPort: 7401 },
        { id: 'b', host: '127.0.0.1', haPort: 7402 },
      ],
      plugins: { [path.resolve(__dirname, '../src/index.ts')]: true },
      alarms: {
        reactions: {
          open: { kind: 'exec', command: inOpen },
          relative: { kind: 'exec', command: 'bin/page' },
          missing: { kind: 'exec', command: '/nonexistent/page' },
          plain: { kind: 'exec', command: plain },
        },
      },
    };
    const error = await validateConfig(config, { configDir }).then(
      () => undefined,
      (e: unknown) => e as { issues: { path: string; message: string; code: string }[] },
    );
    const at = (p: string) => error?.issues.find((i) => i.path === p);
    expect(at('alarms.reactions.open.command')).toEqual({
      path: 'alarms.reactions.open.command',
      code: 'SWY_ERR_ALARM_EXEC_UNSAFE',
      message: `refused: the folder ${open} of ${inOpen} is writable by others (mode 0777), so anyone could replace the command; run chmod o-w on it or move the command`,
    });
    expect(at('alarms.reactions.relative.command')?.message).toBe('refused: "bin/page" is not an absolute path; give the full path of the command');
    expect(at('alarms.reactions.missing.command')?.message).toBe('refused: /nonexistent/page does not exist');
    expect(at('alarms.reactions.plain.command')?.message).toBe(`refused: ${plain} is not executable by this user; run chmod +x on it`);
    expect(error?.issues.every((i) => i.code === 'SWY_ERR_ALARM_EXEC_UNSAFE')).toBe(true);
  });

  it('checks again before each run: a command made world-writable later is refused', async () => {
    const { file } = script('true');
    const { reaction } = create({ command: file });
    fs.chmodSync(file, 0o757);
    const error = await failure(reaction.raised!(sampleAlarm(), never));
    expect(error.code).toBe('SWY_ERR_ALARM_EXEC_UNSAFE');
  });
});

const isRoot = process.geteuid?.() === 0;
if (process.env.CI === 'true' && !isRoot) throw new Error('CI runs the exec ownership tests as root');

describe.skipIf(!isRoot)('exec reaction: a script another user owns is never run as root (the "root by proxy" finding)', () => {
  it('refuses, before the run, a script in a sticky folder that nobody owns and could edit; the command does not run', async () => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'swy-exec-owner-'));
    made.push(base);
    fs.chmodSync(base, 0o755);
    const shared = path.join(base, 'shared');
    fs.mkdirSync(shared);
    fs.chmodSync(shared, 0o1777);
    const file = path.join(shared, 'notify.sh');
    const ran = path.join(base, 'ran');
    fs.writeFileSync(file, `#!/bin/sh\ntouch ${ran}\n`);
    fs.chmodSync(file, 0o755);
    const { reaction } = create({ command: file, retries: 0 });

    // nobody takes the file over (as if nobody had written it there): from now on it is nobody's to edit
    fs.chownSync(file, 65534, 65534);
    const error = await failure(reaction.raised!(sampleAlarm(), never));
    expect(error.code).toBe('SWY_ERR_ALARM_EXEC_UNSAFE');
    expect(error.message).toBe(`Alarm reaction test-reaction refuses to run ${file}: ${file} is owned by nobody (uid 65534), not by root; run chown root on it.`);
    expect(fs.existsSync(ran)).toBe(false);
  });
});
