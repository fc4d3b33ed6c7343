import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCredentialsFile } from '../src/index';

const BIN = path.resolve(__dirname, '../bin/switchyard-digest-ha1.js');

/** Runs the installed command with `stdin`, bounded in time. */
function run(args: string[], stdin: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      reject(new Error(`switchyard-digest-ha1 did not finish: ${stderr}`));
    }, 10_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(stdin);
  });
}

// Runs the built command (`npm test` builds first; the bin says "not built yet" otherwise).
describe('switchyard-digest-ha1', () => {
  it('prints SHA-256 and MD5 lines for a password read from stdin, which the credentials file accepts', async () => {
    const r = await run(['alice', 'sip.example.com'], 'correct horse\n');
    expect(r.code, r.stderr).toBe(0);
    const sha = crypto.createHash('sha256').update('alice:sip.example.com:correct horse').digest('hex');
    const md5 = crypto.createHash('md5').update('alice:sip.example.com:correct horse').digest('hex');
    expect(r.stdout).toBe(`alice:sip.example.com:SHA-256:${sha}\nalice:sip.example.com:MD5:${md5}\n`);
    expect(r.stdout).not.toContain('correct horse');
    expect(parseCredentialsFile(r.stdout, 'stdout').size).toBe(2);
  });

  it('prints only the algorithms asked for', async () => {
    const r = await run(['bob', 'r', 'MD5'], 'pw');
    expect(r.stdout).toBe(`bob:r:MD5:${crypto.createHash('md5').update('bob:r:pw').digest('hex')}\n`);
  });

  it.each([
    [['alice'], 'pw', 'USER and REALM are needed'],
    [['al:ice', 'r'], 'pw', 'USER must be non-empty, without ":"'],
    [['alice', 'r', 'SHA-1'], 'pw', 'unknown algorithm "SHA-1"'],
    [['alice', 'r'], '', 'give the password on stdin'],
  ])('refuses %j (exit 2, usage on stderr)', async (args, stdin, why) => {
    const r = await run(args, stdin);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(why);
    expect(r.stderr).toContain('usage: switchyard-digest-ha1');
  });
});
