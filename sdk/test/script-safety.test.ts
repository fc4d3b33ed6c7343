import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { assertSafeScript, scriptSafetyProblem } from '../src/index';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) {
    fs.chmodSync(dir, 0o700);
    for (const entry of fs.readdirSync(dir)) {
      const child = path.join(dir, entry);
      if (fs.lstatSync(child).isDirectory()) fs.chmodSync(child, 0o700);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** A folder of our own (0700, in the sticky /tmp). */
function folder(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swy-script-'));
  made.push(dir);
  return dir;
}

function script(dir: string, mode = 0o755, name = 'run.sh'): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, '#!/bin/sh\ntrue\n');
  fs.chmodSync(file, mode);
  return file;
}

describe('scriptSafetyProblem (keepalived-like script security)', () => {
  it('accepts an executable script that only its owner can change, in a private folder below the sticky /tmp', () => {
    expect(scriptSafetyProblem(script(folder()))).toBeUndefined();
    expect(scriptSafetyProblem('/bin/sh')).toBeUndefined();
  });

  it('refuses a relative path', () => {
    expect(scriptSafetyProblem('bin/vip-add')).toBe('"bin/vip-add" is not an absolute path; give the full path of the command');
  });

  it('refuses a file that does not exist, and a folder', () => {
    expect(scriptSafetyProblem('/nonexistent/vip-add')).toBe('/nonexistent/vip-add does not exist');
    const dir = folder();
    expect(scriptSafetyProblem(dir)).toBe(`${dir} is not a regular file`);
  });

  it('refuses a script writable by others', () => {
    const file = script(folder(), 0o757);
    expect(scriptSafetyProblem(file)).toBe(`${file} is writable by others (mode 0757); run chmod o-w on it`);
  });

  it('refuses a script in a folder writable by others (no sticky bit), even several levels up', () => {
    const top = folder();
    const inner = path.join(top, 'bin');
    fs.mkdirSync(inner, { mode: 0o755 });
    const file = script(inner);
    fs.chmodSync(top, 0o777);
    expect(scriptSafetyProblem(file)).toBe(
      `the folder ${top} of ${file} is writable by others (mode 0777), so anyone could replace the command; run chmod o-w on it or move the command`,
    );
  });

  it('accepts a folder writable by others when it has the sticky bit, as /tmp', () => {
    const dir = folder();
    const file = script(dir);
    fs.chmodSync(dir, 0o1777);
    expect(scriptSafetyProblem(file)).toBeUndefined();
  });

  it('follows a symlink: a safe link to a script in an open folder is refused', () => {
    const open = folder();
    const target = script(open);
    fs.chmodSync(open, 0o777);
    const safe = folder();
    const link = path.join(safe, 'link.sh');
    fs.symlinkSync(target, link);
    expect(scriptSafetyProblem(link)).toBe(
      `the folder ${open} of ${link} is writable by others (mode 0777), so anyone could replace the command; run chmod o-w on it or move the command`,
    );
  });

  // no execute bit at all: refused even for root, whose access(X_OK) needs one
  it('refuses a script this user cannot execute', () => {
    const file = script(folder(), 0o644);
    expect(scriptSafetyProblem(file)).toBe(`${file} is not executable by this user; run chmod +x on it`);
  });
});

describe('assertSafeScript', () => {
  class ScriptRefused extends Error {
    constructor(
      readonly code: string,
      message: string,
    ) {
      super(message);
    }
  }
  const refuse = (problem: string, file: string) => new ScriptRefused('SWY_ERR_TEST_UNSAFE', `${file}: ${problem}`);

  it('checks argv[0] only and returns quietly for a safe script (the arguments are data)', () => {
    expect(() => assertSafeScript([script(folder()), 'relative/arg', '/nonexistent'], refuse)).not.toThrow();
  });

  it("throws the caller's own error, built from the problem and the path", () => {
    const file = script(folder(), 0o777);
    let thrown: unknown;
    try {
      assertSafeScript([file, 'add'], refuse);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ScriptRefused);
    expect(thrown).toMatchObject({ code: 'SWY_ERR_TEST_UNSAFE', message: `${file}: ${file} is writable by others (mode 0777); run chmod o-w on it` });
  });

  it('refuses an empty argument vector', () => {
    expect(() => assertSafeScript([], refuse)).toThrow(': the command is empty; give the full path of the command');
  });
});
