import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runCli, tempDir as newTempDir } from '../src/testing/processes';

const dirs: string[] = [];
const tempDir = (): string => {
  const dir = newTempDir();
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const base = () => ({
  cluster: 'demo',
  nodes: [
    { id: 'sip-a', host: '127.0.0.1', haPort: 7461, priority: 100 },
    { id: 'sip-b', host: '127.0.0.1', haPort: 7462, priority: 50 },
  ],
  management: { host: '127.0.0.1', port: 7460 },
});

type Mutate = (c: ReturnType<typeof base> & Record<string, any>, dir: string) => void;

/** Each mistake an operator makes: the config change, the key path and the words the message must show. */
const MISTAKES: { name: string; mutate: Mutate; path: string; says: RegExp }[] = [
  {
    name: 'unknown key',
    mutate: (c) => ((c.nodes[0] as any).prio = 3),
    path: 'nodes[0]',
    says: /did you mean "priority"/,
  },
  { name: 'wrong type', mutate: (c) => ((c.nodes[1] as any).haPort = '7462'), path: 'nodes[1].haPort', says: /number/ },
  { name: 'duplicate node id', mutate: (c) => (c.nodes[1]!.id = 'sip-a'), path: 'nodes[1].id', says: /sip-a/ },
  { name: 'duplicate port', mutate: (c) => (c.nodes[1]!.haPort = 7461), path: 'nodes[1].haPort', says: /7461/ },
  {
    name: 'missing secret in multi-host',
    mutate: (c) => (c.nodes[1]!.host = '127.0.0.2'),
    path: 'haLink.secret',
    says: /secret/,
  },
  {
    name: 'timing rule broken',
    mutate: (c) => {
      c.haLink = { heartbeatInterval: 0.5, missedHeartbeats: 3 };
      c.arbiter = { kind: 'embedded', switchTimeout: 1 };
    },
    path: 'haLink',
    says: /switchTimeout/,
  },
  { name: 'unknown plugin', mutate: (c) => (c.plugins = { 'no-such-plugin': true }), path: 'plugins.no-such-plugin', says: /no-such-plugin/ },
  {
    name: 'bad plugin option',
    mutate: (c, dir) => {
      const zod = require.resolve('zod', { paths: [path.resolve(__dirname, '..')] });
      fs.writeFileSync(
        path.join(dir, 'strict-plugin.js'),
        `const { z } = require(${JSON.stringify(zod)});
module.exports = { name: 'strict', version: '1.0.0', options: z.strictObject({ interval: z.number().positive() }),
  apply() {}, [Symbol.for('switchyard:plugin')]: true };`,
      );
      c.plugins = { './strict-plugin.js': { interval: -1 } };
    },
    path: 'plugins../strict-plugin.js.interval',
    says: /interval/,
  },
  {
    name: 'management API off loopback without TLS',
    mutate: (c) => (c.management.host = '0.0.0.0'),
    path: 'management.tls',
    says: /reachable from the network: set management\.tls \{ cert, key \}.*\[SWY_ERR_MGMT_TLS_REQUIRED\]/,
  },
];

describe('switchyard validate', () => {
  beforeAll(() => assertBuilt());

  it('accepts the single-host example and exits 0', async () => {
    const example = path.resolve(__dirname, '../../examples/single-host/switchyard.config.ts');
    const r = await runCli(['validate', '--config', example]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/is valid: cluster demo, nodes sip-a \+ sip-b \(single host\)/);
  });

  it("prints a plugin's warnings (nodeOptions.warn) with key paths on stderr and still exits 0; --json stays clean JSON", async () => {
    const dir = tempDir();
    const zod = require.resolve('zod', { paths: [path.resolve(__dirname, '..')] });
    fs.writeFileSync(
      path.join(dir, 'warn-plugin.js'),
      `const { z } = require(${JSON.stringify(zod)});
module.exports = { name: 'warner', version: '1.0.0', apply() {}, [Symbol.for('switchyard:plugin')]: true,
  nodeOptions: { key: 'lamp', schema: z.strictObject({ colour: z.string() }),
    warn: (sections, ctx) => sections.filter((s) => s.value.colour === 'red').map((s) => ({ index: s.index, path: ['colour'],
      message: 'red lamps on ' + s.nodeId + ' (enabled: ' + ctx.plugins.join(',') + ')' })) } };`,
    );
    const config = base() as Record<string, any>;
    config.runtimeDir = path.join(dir, 'state');
    config.plugins = { './warn-plugin.js': true };
    config.nodes[1].lamp = { colour: 'red' };
    config.nodes[0].lamp = { colour: 'blue' };
    fs.writeFileSync(path.join(dir, 'switchyard.config.json'), JSON.stringify(config));
    const r = await runCli(['validate', '--config', path.join(dir, 'switchyard.config.json')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/is valid/);
    expect(r.stderr.trim().split('\n')).toEqual(['warning: Key "nodes[1].lamp.colour": red lamps on sip-b (enabled: warner) [SWY_ERR_PLUGIN_OPTIONS]']);
    const json = await runCli(['validate', '--json', '--config', path.join(dir, 'switchyard.config.json')]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).nodes[1].lamp).toEqual({ colour: 'red' });
  });

  it('warns when a plugin passes a primary socket from primary to primary on one host without arbiter.fence, and not with it', async () => {
    const dir = tempDir();
    fs.writeFileSync(
      path.join(dir, 'public-plugin.js'),
      `module.exports = { name: 'public', version: '1.0.0', apply() {}, [Symbol.for('switchyard:plugin')]: true,
  primarySockets: () => [{ name: 'public.sip', host: '127.0.0.1', port: 5999 }] };`,
    );
    const run = async (arbiter: Record<string, unknown>, plugins: Record<string, boolean>) => {
      const config = { ...base(), runtimeDir: path.join(dir, 'state'), arbiter, plugins };
      fs.writeFileSync(path.join(dir, 'switchyard.config.json'), JSON.stringify(config));
      return runCli(['validate', '--config', path.join(dir, 'switchyard.config.json')]);
    };
    const unfenced = await run({ kind: 'embedded' }, { './public-plugin.js': true });
    expect(unfenced.code).toBe(0);
    expect(unfenced.stderr.trim().split('\n')).toEqual([
      'warning: Key "arbiter.fence": the primary socket public.sip (127.0.0.1:5999) passes from primary to primary, but arbiter.fence is off: ' +
        'a frozen primary keeps it, and nobody serves that address until the frozen process thaws; set arbiter.fence: true [SWY_ERR_CONFIG_INVALID]',
    ]);
    expect((await run({ kind: 'embedded', fence: true }, { './public-plugin.js': true })).stderr).toBe('');
    expect((await run({ kind: 'embedded' }, { './public-plugin.js': false })).stderr).toBe('');
  });

  it('warns when the runtime folder is owned by another user (starting would fail)', async () => {
    if (process.getuid?.() !== 0) {
      if (process.env.CI === 'true') throw new Error('CI runs this as root');
      return;
    }
    const dir = tempDir();
    const state = path.join(dir, 'state');
    fs.mkdirSync(state, { mode: 0o700 });
    fs.chownSync(state, 65534, 65534);
    fs.writeFileSync(path.join(dir, 'switchyard.config.json'), JSON.stringify({ ...base(), runtimeDir: state }));
    const r = await runCli(['validate', '--config', path.join(dir, 'switchyard.config.json')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^warning: Key "runtimeDir": the runtime folder .*state is owned by nobody.*SWY_ERR_RUNTIME_DIR_UNSAFE/);
  });

  it('finds the config by searching from the working folder', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, '.switchyardrc.json'), JSON.stringify(base()));
    fs.mkdirSync(path.join(dir, 'sub'));
    const r = await runCli(['validate'], { cwd: path.join(dir, 'sub') });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('.switchyardrc.json is valid');
  });

  it.each(MISTAKES)('$name: exit 2 and the key path in the message', async ({ mutate, path: keyPath, says }) => {
    const dir = tempDir();
    const config = base();
    mutate(config, dir);
    const file = path.join(dir, 'switchyard.config.json');
    fs.writeFileSync(file, JSON.stringify(config));
    const r = await runCli(['validate', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`Key "${keyPath}`);
    expect(r.stderr).toMatch(says);
    expect(r.stderr).toContain('is invalid');
  });

  it('exits 2 with a usage message for an unknown command, and 0 for --help', async () => {
    const bad = await runCli(['frobnicate']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown command/);
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    for (const cmd of ['up', 'status', 'switchover', 'validate']) expect(help.stdout).toContain(cmd);
    expect(help.stdout).toMatch(/Exit codes: 0 ok, 1 runtime failure/);
  });

  it('exits 2 when no config is found', async () => {
    const r = await runCli(['validate'], { cwd: tempDir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/SWY_ERR_CONFIG_NOT_FOUND/);
  });
});
