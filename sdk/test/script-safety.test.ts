import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hasTool } from '@switchyard/sdk/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { assertSafeScript, scriptSafetyProblem } from '../src/index';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** A folder of our own (0700, in the sticky /tmp). */
function folder(mode = 0o700): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swy-script-'));
  fs.chmodSync(dir, mode);
  made.push(dir);
  return dir;
}

function script(dir: string, mode = 0o755, name = 'run.sh'): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, '#!/bin/sh\necho ran\n');
  fs.chmodSync(file, mode);
  return file;
}

function subfolder(parent: string, name: string, mode: number): string {
  const dir = path.join(parent, name);
  fs.mkdirSync(dir);
  fs.chmodSync(dir, mode);
  return dir;
}

/** What this process is called in the refusals (root, or root or the user running the tests). */
const self = process.geteuid!() === 0 ? 'root' : undefined;

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

  it('refuses a script writable by others, and one writable by its group', () => {
    const open = script(folder(), 0o757);
    expect(scriptSafetyProblem(open)).toBe(`${open} is writable by others (mode 0757); run chmod o-w on it`);
    const shared = script(folder(), 0o775);
    expect(scriptSafetyProblem(shared)).toBe(`${shared} is writable by its group (mode 0775); run chmod g-w on it`);
  });

  it('refuses a script in a folder writable by others (no sticky bit), even several levels up', () => {
    const top = folder(0o777);
    const inner = subfolder(top, 'bin', 0o755);
    const file = script(inner);
    expect(scriptSafetyProblem(file)).toBe(
      `the folder ${top} of ${file} is writable by others (mode 0777), so anyone could replace the command; run chmod o-w on it or move the command`,
    );
  });

  it('refuses a script in a group-writable folder', () => {
    const top = folder(0o755);
    const team = subfolder(top, 'team', 0o775);
    const file = script(team);
    expect(scriptSafetyProblem(file)).toBe(
      `the folder ${team} of ${file} is writable by its group (mode 0775), so any member of that group could replace the command; run chmod g-w on it or move the command`,
    );
  });

  it('accepts a folder writable by others when it has the sticky bit, as /tmp, for what this user owns in it', () => {
    const dir = folder(0o1777);
    expect(scriptSafetyProblem(script(dir))).toBeUndefined();
  });

  it('follows a symlink: a safe link to a script in an open folder is refused', () => {
    const open = folder(0o777);
    const target = script(open);
    const link = path.join(folder(), 'link.sh');
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

/**
 * Ownership needs a second user: these run as root (CI does) and act as
 * `nobody` through runuser, as a local attacker would.
 */
const isRoot = process.geteuid?.() === 0;
if (process.env.CI === 'true' && !isRoot) throw new Error('CI runs the script-ownership tests as root');
if (process.env.CI === 'true' && !hasTool('runuser')) throw new Error('CI needs runuser (util-linux) for the script-ownership tests');
const canRun = isRoot && hasTool('runuser');

/** Runs a command as `nobody`; its exit status and output. */
function asNobody(argv: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('runuser', ['-u', 'nobody', '--', ...argv], { encoding: 'utf8', timeout: 10_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The SDK's check, run by `nobody` (the running user is then nobody, not root). */
function problemAsNobody(file: string): string | null {
  const module = path.resolve(__dirname, '../dist/scripts/script-safety.js');
  const code = `process.stdout.write(JSON.stringify(require(${JSON.stringify(module)}).scriptSafetyProblem(process.argv[1]) ?? null))`;
  const result = asNobody([process.execPath, '-e', code, file]);
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout) as string | null;
}

describe.skipIf(!canRun)('script ownership, with a second local user (root runs, nobody attacks)', () => {
  it('refuses, for root, a script that nobody wrote into a sticky /tmp-like folder, which nobody can still edit', () => {
    const base = folder(0o755);
    const shared = subfolder(base, 'shared', 0o1777);
    const file = path.join(shared, 'notify.sh');
    expect(asNobody(['sh', '-c', 'printf "#!/bin/sh\\necho ran\\n" > "$1" && chmod 755 "$1"', 'sh', file]).status).toBe(0);

    expect(scriptSafetyProblem(file)).toBe(`${file} is owned by nobody (uid 65534), not by ${self}; run chown root on it`);
    // why it matters: its owner can change what root would run
    expect(asNobody(['sh', '-c', 'echo "echo owned" >> "$1"', 'sh', file]).status).toBe(0);
    expect(() => assertSafeScript([file], (problem) => new Error(problem))).toThrow('owned by nobody');
  });

  it("accepts root's own script in that sticky folder, since nobody cannot replace or remove it", () => {
    const base = folder(0o755);
    const shared = subfolder(base, 'shared', 0o1777);
    const file = script(shared);
    expect(scriptSafetyProblem(file)).toBeUndefined();
    expect(asNobody(['id', '-u']).stdout).toBe('65534\n');
    expect(asNobody(['rm', '-f', file]).status).not.toBe(0);
    expect(asNobody(['mv', file, `${file}.old`]).status).not.toBe(0);
    expect(fs.readFileSync(file, 'utf8')).toBe('#!/bin/sh\necho ran\n');
  });

  it('refuses a script in a folder that nobody owns, even when the script is root\'s and the folder is 0755', () => {
    const base = folder(0o755);
    const theirs = subfolder(base, 'theirs', 0o755);
    fs.chownSync(theirs, 65534, 65534);
    const file = script(theirs);
    expect(scriptSafetyProblem(file)).toBe(
      `the folder ${theirs} of ${file} is owned by nobody (uid 65534), not by root, so that user could replace the command; run chown root on it or move the command`,
    );
    // nobody can indeed swap it for something else
    expect(asNobody(['mv', file, `${file}.old`]).status).toBe(0);
  });

  it('refuses a script in a group-writable folder', () => {
    const base = folder(0o755);
    const team = subfolder(base, 'team', 0o2775);
    const file = script(team);
    expect(scriptSafetyProblem(file)).toMatch(new RegExp(`^the folder ${team} of ${file} is writable by its group \\(mode 2775\\)`));
  });

  it("runs a good script under root-owned 0755 folders; nobody may run it and its own scripts, not a third user's", () => {
    const base = folder(0o755);
    const bin = subfolder(base, 'bin', 0o755);
    const file = script(bin);
    expect(scriptSafetyProblem(file)).toBeUndefined();
    expect(() => assertSafeScript([file, '--now'], (problem) => new Error(problem))).not.toThrow();
    expect(execFileSync(file, { encoding: 'utf8', timeout: 10_000 })).toBe('ran\n');

    // run by nobody, the check trusts root and nobody itself
    expect(problemAsNobody(file)).toBeNull();
    const own = subfolder(base, 'nobody-bin', 0o755);
    fs.chownSync(own, 65534, 65534);
    const ownScript = script(own, 0o755, 'mine.sh');
    fs.chownSync(ownScript, 65534, 65534);
    expect(problemAsNobody(ownScript)).toBeNull();
    // … but not a third user's script
    fs.chownSync(ownScript, 1, 1);
    expect(problemAsNobody(ownScript)).toBe(`${ownScript} is owned by daemon (uid 1), not by root or nobody (uid 65534), the user running Switchyard; run chown root on it`);
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
