import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { tempDir } from '@switchyard/sdk/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { KINDS, runCreatePlugin, type CliIo } from '../src/index';

const MAIN = path.resolve(__dirname, '..', 'dist', 'main.js');
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
function cwd(): string {
  const dir = tempDir('switchyard-create-plugin-cli-');
  dirs.push(dir);
  return dir;
}

/** Runs create-plugin in this process, as a non-interactive user would (no terminal). */
async function run(args: string[], at = cwd(), extra: Partial<CliIo> = {}) {
  let out = '';
  let err = '';
  const code = await runCreatePlugin(args, { cwd: at, interactive: false, out: (t) => void (out += t), err: (t) => void (err += t), ...extra });
  return { code, out, err, cwd: at };
}

/** Every file of a folder, relative, sorted. */
function files(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

describe('create-plugin usage', () => {
  it('--help explains every flag and kind, and writes nothing', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--kind', '--description', '--event-prefix', '--dir', '--port', '--yes', '--help']) expect(r.out).toContain(flag);
    for (const [kind, what] of Object.entries(KINDS)) expect(r.out).toContain(`${kind.padEnd(20)}${what}`);
    expect(r.out).toContain('npm create @switchyard/plugin');
    expect(fs.readdirSync(r.cwd)).toEqual([]);
  });

  it.each([
    ['My-Plugin', 'npm package names are lowercase'],
    ['.hidden', 'npm allows only lowercase letters'],
    ['my plugin', 'npm allows only lowercase letters'],
    ['@acme/', 'npm allows only lowercase letters'],
    ['my.plugin', `the name after the scope ("my.plugin") is also the plugin's name, which is kebab-case`],
    ['node_modules', 'npm reserves "node_modules"'],
    ['x'.repeat(215), 'npm allows at most 214 characters'],
  ])('refuses the package name %j (SWY_ERR_CREATE_NAME, exit 2) and writes nothing', async (name, why) => {
    const r = await run([name, '--yes']);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`create-plugin: SWY_ERR_CREATE_NAME: "${name}" cannot be the package name: `);
    expect(r.err).toContain(why);
    expect(fs.readdirSync(r.cwd)).toEqual([]);
  });

  it('refuses an unknown kind and lists the kinds', async () => {
    const r = await run(['my-thing', '--kind', 'sensor']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('SWY_ERR_CREATE_KIND: unknown kind "sensor"; choose one of: monitor, reaction, switchover-strategy, arbiter');
    expect(fs.readdirSync(r.cwd)).toEqual([]);
  });

  it.each(['01', '00', '7', 'ab'])('refuses the event prefix %j', async (prefix) => {
    const r = await run(['my-thing', '--event-prefix', prefix]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`SWY_ERR_CREATE_EVENT_PREFIX: event prefix "${prefix}" cannot be used`);
  });

  it('refuses a folder that exists and is not empty, leaving it as it was', async () => {
    const at = cwd();
    fs.mkdirSync(path.join(at, 'my-monitor'));
    fs.writeFileSync(path.join(at, 'my-monitor', 'notes.txt'), 'mine');
    const r = await run(['my-monitor', '--yes'], at);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`SWY_ERR_CREATE_DIR_NOT_EMPTY: ${path.join(at, 'my-monitor')} already exists and is not empty (1 entry); nothing was written`);
    expect(fs.readdirSync(path.join(at, 'my-monitor'))).toEqual(['notes.txt']);
    expect(fs.readFileSync(path.join(at, 'my-monitor', 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('an unknown flag is a usage error', async () => {
    const r = await run(['my-thing', '--kinds', 'monitor']);
    expect(r.code).toBe(2);
    expect(r.err).toContain("SWY_ERR_CREATE_USAGE: Unknown option '--kinds'");
  });
});

describe('create-plugin output', () => {
  it('--yes: a monitor package named my-monitor in ./my-monitor, with the SDK as a peer dependency', async () => {
    const r = await run(['--yes']);
    expect(r.code).toBe(0);
    const dir = path.join(r.cwd, 'my-monitor');
    expect(r.out).toContain(`Created my-monitor (monitor) in ${dir}`);
    expect(files(dir)).toEqual([
      '.gitignore',
      'README.md',
      'package.json',
      'src/events.ts',
      'src/index.ts',
      'switchyard.config.ts',
      'test/plugin.test.ts',
      'tsconfig.json',
      'tsconfig.typecheck.json',
      'vitest.config.mts',
    ]);
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
    expect(pkg.peerDependencies).toEqual({ '@switchyard/sdk': '^0.1.0' });
    expect(pkg.devDependencies).toMatchObject({ '@switchyard/sdk': '0.1.0', '@switchyard/core': '0.1.0' });
    expect(pkg.scripts).toMatchObject({ build: 'tsc -p tsconfig.json', test: 'vitest run', start: 'switchyard up --config switchyard.config.ts' });
    expect(fs.readFileSync(path.join(dir, 'src', 'events.ts'), 'utf8')).toContain("DOWN: '77-00001'");
    expect(fs.readFileSync(path.join(dir, 'switchyard.config.ts'), 'utf8')).toContain("port: 7480 }");
  });

  it.each(Object.keys(KINDS))('%s: every flag lands where it belongs and no template token is left', async (kind) => {
    const at = cwd();
    const description = 'Watches "things" & tells: a test';
    const r = await run(['@acme/watcher', '--kind', kind, '--description', description, '--event-prefix', '42', '--dir', 'out/pkg', '--port', '9100'], at);
    expect(r.code).toBe(0);
    const dir = path.join(at, 'out', 'pkg');
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name: string; description: string; keywords: string[] };
    expect(pkg).toMatchObject({ name: '@acme/watcher', description, keywords: ['switchyard', 'switchyard-plugin', kind] });
    const readme = fs.readFileSync(path.join(dir, 'README.md'), 'utf8');
    expect(readme.startsWith(`# @acme/watcher\n\n${description}\n`)).toBe(true);
    expect(readme).toMatch(/\| 42-00001 \|/);
    expect(fs.readFileSync(path.join(dir, 'src', 'index.ts'), 'utf8')).toContain("name: 'watcher'");
    const config = fs.readFileSync(path.join(dir, 'switchyard.config.ts'), 'utf8');
    expect(config).toContain("'@acme/watcher'");
    expect(config).toContain('port: 9100 }');
    expect(config).toContain('haPort: 9101');
    expect(config).toContain('haPort: 9102');
    for (const file of files(dir)) expect(fs.readFileSync(path.join(dir, file), 'utf8')).not.toMatch(/__[A-Z_]+__/);
  });

  it('asks for what no flag gives when interactive, and asks again after a wrong answer', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    const answers = ['Bad Name', 'good-name', 'sensor', 'reaction', '', '42', ''];
    let asked = '';
    output.on('data', (chunk: Buffer) => {
      asked += chunk.toString();
      if (asked.endsWith(': ')) input.write(`${answers.shift() ?? ''}\n`);
    });
    const r = await run([], cwd(), { interactive: true, input, output });
    expect(r.code).toBe(0);
    expect(answers).toEqual([]);
    expect(asked).toContain('Package name (my-monitor): ');
    expect(asked).toContain('"Bad Name" cannot be the package name');
    expect(asked).toContain('unknown kind "sensor"');
    expect(asked).toContain('Description (A Switchyard plugin: an alarm reaction kind');
    const pkg = JSON.parse(fs.readFileSync(path.join(r.cwd, 'good-name', 'package.json'), 'utf8')) as { keywords: string[]; description: string };
    expect(pkg.keywords).toContain('reaction');
    expect(pkg.description).toBe(`A Switchyard plugin: ${KINDS.reaction}.`);
    expect(fs.readFileSync(path.join(r.cwd, 'good-name', 'src', 'events.ts'), 'utf8')).toContain("'42-00001'");
  });

  it('the bin asks nothing when stdin is not a terminal, even without --yes', async () => {
    const at = cwd();
    // stdin is a pipe that stays open and never says anything: a prompt would wait there until the bound.
    const child = spawn(process.execPath, [MAIN, 'piped', '--kind', 'arbiter'], { cwd: at, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    clearTimeout(timer);
    child.stdin.destroy();
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(fs.existsSync(path.join(at, 'piped', 'src', 'priority-arbiter.ts'))).toBe(true);
  });
});
