import { fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/clock';
import { validateConfig } from '../src/config/validate';
import { NodeRuntime } from '../src/node/node-runtime';
import { holdOptimisingCompiler, optimisingCompilerHeld, resumeOptimisingCompiler } from '../src/node/startup-tiering';
import { freePort, tempDir } from '../src/testing/processes';

/**
 * TurboFan held back while a node starts (see src/node/startup-tiering.ts):
 * really off while held and really back after (V8's own view of a hot
 * function, in a child process), and given back by the node runtime
 * before its plugins start.
 */
const COMPILED = path.resolve(__dirname, '..', 'dist', 'node', 'startup-tiering.js');

/** V8's optimisation status bit of a function optimised by TurboFan (%GetOptimizationStatus). */
const OPTIMIZED = 1 << 4;

const runtimes: NodeRuntime[] = [];
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((r) => r.stop('test over')));
  resumeOptimisingCompiler();
});

/** A plugin whose start tap calls globalThis.tieringProbe. */
const PROBE_PLUGIN =
  "module.exports = { [Symbol.for('switchyard:plugin')]: true, name: 'tiering-probe', version: '1.0.0',\n" +
  "  apply(engine) { engine.hooks.start.tapPromise('probe', async () => { globalThis.tieringProbe(); }); } };\n";

async function runtime(clock: ManualClock, plugins?: Record<string, true>): Promise<NodeRuntime> {
  const runtimeDir = tempDir('switchyard-tiering-');
  fs.writeFileSync(path.join(runtimeDir, 'probe.js'), PROBE_PLUGIN);
  const raw = {
    ...(plugins ? { plugins } : {}),
    cluster: 'tiering',
    nodes: [
      { id: 'sip-a', host: '127.0.0.1', haPort: await freePort(), priority: 100 },
      { id: 'sip-b', host: '127.0.0.1', haPort: await freePort(), priority: 50 },
    ],
    logging: { level: 'error' },
  };
  const { config } = await validateConfig(raw, { configDir: runtimeDir });
  const node = new NodeRuntime({ t: 'init', nodeId: 'sip-a', config, configDir: runtimeDir, runtimeDir, secret: 'tiering-test-secret-0123456789' }, () => undefined, clock);
  runtimes.push(node);
  await node.start();
  return node;
}

describe('TurboFan held back while a node starts', () => {
  it('leaves a hot function unoptimised while held, and optimises it once resumed', async () => {
    const script = path.join(tempDir('switchyard-tiering-'), 'hot.js');
    fs.writeFileSync(
      script,
      `const t = require(${JSON.stringify(COMPILED)});\n` +
        'function hot(n) { let s = 0; for (let i = 0; i < n; i++) s += (i * 7) % 13; return s; }\n' +
        'const run = () => { for (let k = 0; k < 200; k++) hot(1e4); return %GetOptimizationStatus(hot); };\n' +
        't.holdOptimisingCompiler();\n' +
        'const held = run();\n' +
        't.resumeOptimisingCompiler();\n' +
        'let after = run();\n' +
        // TurboFan compiles on a background thread: give it a few rounds.
        'for (let i = 0; i < 50 && !(after & 16); i++) after = run();\n' +
        'process.send({ held, after });\n',
    );
    const child = fork(script, [], { execArgv: ['--allow-natives-syntax'] });
    const report = (await new Promise((resolve, reject) => {
      child.once('message', resolve);
      child.once('exit', (code) => reject(new Error(`the child exited with ${code}`)));
    })) as { held: number; after: number };
    child.kill();
    expect(report.held & OPTIMIZED).toBe(0);
    expect(report.after & OPTIMIZED).toBe(OPTIMIZED);
  });

  it('does nothing in a process started with --no-opt: nothing to give back then', () => {
    // This process was not: held now, and resumed once however often asked.
    holdOptimisingCompiler();
    expect(optimisingCompilerHeld()).toBe(true);
    resumeOptimisingCompiler();
    resumeOptimisingCompiler();
    expect(optimisingCompilerHeld()).toBe(false);
    const script = path.join(tempDir('switchyard-tiering-'), 'no-opt.js');
    fs.writeFileSync(script, `const t = require(${JSON.stringify(COMPILED)});\nt.holdOptimisingCompiler();\nprocess.send({ held: t.optimisingCompilerHeld() });\n`);
    const child = fork(script, [], { execArgv: ['--no-opt'] });
    return new Promise<void>((resolve, reject) => {
      child.once('message', (m) => {
        try {
          expect(m).toEqual({ held: false });
          resolve();
        } catch (error) {
          reject(error);
        }
      });
      child.once('exit', (code) => reject(new Error(`the child exited with ${code}`)));
    });
  });

  it('the node runtime gives it back once its code is loaded, before its plugins start (their start can be bulk work)', async () => {
    holdOptimisingCompiler();
    const seen: boolean[] = [];
    const global = globalThis as { tieringProbe?: () => void };
    global.tieringProbe = () => seen.push(optimisingCompilerHeld());
    try {
      const node = await runtime(new ManualClock(), { './probe.js': true });
      expect(seen).toEqual([false]); // the plugin's start tap ran with TurboFan back
      expect(optimisingCompilerHeld()).toBe(false);
      await node.handle({ t: 'order', order: { role: 'backup', term: 1, reason: 'test' } });
      expect(optimisingCompilerHeld()).toBe(false);
    } finally {
      delete global.tieringProbe;
    }
  });
});
