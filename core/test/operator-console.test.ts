import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { alarmRoutes } from '../src/management/alarm-routes';
import { consoleRoutes } from '../src/management/console-routes';
import { EventFeed } from '../src/management/event-feed';
import { operatorRoutes } from '../src/management/operator-routes';
import type { ManagementServer } from '../src/management/server';
import type { ClusterStatusView } from '../src/management/types';
import { startServer, TOKEN, VIEW } from './management-fixtures';
import {
  assertBuilt,
  freePort,
  hasTool,
  linkNodeModules,
  isAlive,
  startUp,
  tempDir,
  waitFor,
  waitForPair,
  writePairConfig,
  type UpProcess,
} from '../src/testing/processes';

const CHROMIUM = '/usr/bin/chromium';
const HAS_CHROMIUM = fs.existsSync(CHROMIUM) || hasTool('chromium');
if (process.env.CI === 'true' && !HAS_CHROMIUM) throw new Error('chromium is not installed, and CI must run the console test');
/**
 * The screenshot of docs/operator/api.md: written to docs/ when SWITCHYARD_UPDATE_DOCS=1 (how it is refreshed), else to a
 * temp file, so a test run (CI) never changes a tracked file; the picture is taken and checked either way.
 */
const SCREENSHOT =
  process.env.SWITCHYARD_UPDATE_DOCS === '1'
    ? path.resolve(__dirname, '../../docs/console.png')
    : path.join(os.tmpdir(), `switchyard-console-${process.pid}.png`);

/** Pids of processes started with this (unique, temporary) user-data-dir: the browser we launched and its children. */
function browserPids(userDataDir: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', '--', `--user-data-dir=${userDataDir}`], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map(Number);
  } catch {
    return [];
  }
}

/** A real browser: headless Debian Chromium driven by playwright-core, against a running pair. */
describe.skipIf(!HAS_CHROMIUM)('the web console in Chromium', () => {
  let up: UpProcess | undefined;
  let context: BrowserContext | undefined;
  let userDataDir: string | undefined;
  const dirs: string[] = [];
  beforeAll(() => {
    assertBuilt();
  });
  let server: ManagementServer | undefined;
  afterEach(async () => {
    await context?.close().catch(() => undefined);
    await server?.close();
    server = undefined;
    context = undefined;
    if (userDataDir) {
      for (const pid of browserPids(userDataDir)) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
    userDataDir = undefined;
    const code = up ? await up.stop() : 0;
    up = undefined;
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
    expect(code).toBe(0);
  });

  /** Chromium with a fresh profile; collects console errors, page errors and any request to another origin. */
  async function launch(origin: string): Promise<{ page: Page; problems: string[] }> {
    userDataDir = tempDir('switchyard-chromium-');
    dirs.push(userDataDir);
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      viewport: { width: 1100, height: 1000 },
    });
    const page: Page = context.pages()[0] ?? (await context.newPage());
    const problems: string[] = [];
    page.on('console', (m) => {
      // Refused requests (401) are logged by the browser; the tests expect them.
      if (m.type() === 'error' && !/status of 401/.test(m.text())) problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (r) => {
      if (!r.url().startsWith(`${origin}/`) && !r.url().startsWith('data:')) problems.push(`request elsewhere: ${r.url()}`);
    });
    return { page, problems };
  }

  it('shows both nodes, the new primary within 1 s of a kill -9, an alarm cleared from the page, and refuses a switchover without the token', async () => {
    const dir = tempDir();
    dirs.push(dir);
    // With the sip plugin, so the page has SIP listening, bindings and replication to show.
    linkNodeModules(dir);
    const [sipA, sipB] = [await freePort(), await freePort()];
    const config = await writePairConfig(
      dir,
      {
        plugins: { sip: { replication: { mode: 'sync' } } },
        alarms: { conditions: [{ id: 'node-crashed', detect: ['01-10040'], severity: 'major' }] },
      },
      [{ sip: { port: sipA } }, { sip: { port: sipB } }],
    );
    const port = (JSON.parse(fs.readFileSync(config, 'utf8')) as { management: { port: number } }).management.port;
    const origin = `http://127.0.0.1:${port}`;
    up = startUp(config);
    const first = await waitForPair(config);
    expect(first.primary.id).toBe('sip-a');
    const status = async (): Promise<ClusterStatusView> => (await (await fetch(`${origin}/status`)).json()) as ClusterStatusView;

    const { page, problems } = await launch(origin);

    const response = await page.goto(`${origin}/`);
    expect(response?.status()).toBe(200);
    const csp = response?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");

    // Both nodes, with their roles, and the live feed connected.
    await page.locator('[data-node="sip-a"][data-role="primary"]').waitFor({ timeout: 5000 });
    await page.locator('[data-node="sip-b"][data-role="backup"]').waitFor({ timeout: 5000 });
    await expect.poll(() => page.locator('#live').textContent(), { timeout: 5000 }).toBe('live');
    expect(await page.locator('[data-node="sip-a"]').textContent()).toContain(`${first.primary.pid}`);
    // The SIP section of each node's status report: port, listening, bindings, replication.
    await expect.poll(() => page.locator('[data-node="sip-a"]').textContent(), { timeout: 10_000 }).toMatch(new RegExp(`SIP127\\.0\\.0\\.1:${sipA} listening.*bindings0.*replication`));
    await expect.poll(() => page.locator('[data-node="sip-b"]').textContent(), { timeout: 10_000 }).toContain(`127.0.0.1:${sipB}`);

    // A switchover without the token: the API refuses it, the page says so, nothing changes.
    await page.locator('#switchover-button').click();
    await expect.poll(() => page.locator('#message').textContent(), { timeout: 5000 }).toMatch(/refused.*SWY_ERR_MGMT_UNAUTHORIZED/);
    expect((await status()).arbiter).toMatchObject({ primary: 'sip-a', term: first.primary.term });

    // kill -9 of the primary: the page shows the new primary within 1 s, without a reload.
    process.kill(first.primary.pid!, 'SIGKILL');
    const killedAt = Date.now();
    await page.locator('[data-node="sip-b"][data-role="primary"]').waitFor({ timeout: 1000 });
    expect(Date.now() - killedAt).toBeLessThanOrEqual(1000);

    // The crash raised an alarm: it appears on the page, as does the failover in the history.
    const alarmRow = page.locator('tr[data-alarm="node-crashed@sip-a"]');
    await alarmRow.waitFor({ timeout: 5000 });
    expect(await alarmRow.textContent()).toContain('major');
    await expect.poll(() => page.locator('#history tbody tr').count(), { timeout: 5000 }).toBe(1);
    // The gap (how long no primary ran) arrives live once the new primary reports running.
    await expect.poll(() => page.locator('#history tbody tr').first().textContent(), { timeout: 5000 }).toMatch(/sip-a.*sip-b.*arbiter\d+ ms.*primary sip-a exited/);
    await waitForPair(config, first.primary.term + 1);
    await page.locator('[data-node="sip-a"][data-role="backup"]').waitFor({ timeout: 10_000 });
    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    // A real picture of the page (PNG signature, not an empty file).
    expect(fs.readFileSync(SCREENSHOT).subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect(fs.statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
    if (process.env.SWITCHYARD_UPDATE_DOCS !== '1') fs.rmSync(SCREENSHOT, { force: true });

    // Clearing needs the token: without it nothing is sent; with it the alarm goes away.
    await alarmRow.locator('button').click();
    await expect.poll(() => page.locator('#message').textContent(), { timeout: 2000 }).toMatch(/Enter the management token/);
    expect(await alarmRow.count()).toBe(1);
    const token = fs.readFileSync(path.join(dir, '.switchyard', 'management.token'), 'utf8').trim();
    await page.locator('#token').fill(token);
    await alarmRow.locator('button').click();
    await alarmRow.waitFor({ state: 'detached', timeout: 5000 });
    expect(((await (await fetch(`${origin}/alarms`)).json()) as { active: unknown[] }).active).toEqual([]);

    // With the token a switchover goes through; text from the API is shown as text, never as markup.
    const markup = '<img src=x id=injected>maintenance';
    await page.locator('#reason').fill(markup);
    await page.locator('#switchover-button').click();
    await expect.poll(() => page.locator('#message').textContent(), { timeout: 10_000 }).toMatch(/Switchover done: sip-a is primary/);
    await expect.poll(() => page.locator('#history tbody tr').count(), { timeout: 5000 }).toBe(2);
    expect(await page.locator('#history tbody tr').first().textContent()).toContain(`manual switchover by management-api: ${markup}`);
    expect(await page.locator('#injected').count()).toBe(0);

    // Readable on a phone: nothing wider than the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    // A string, so the test needs no DOM typings: it runs in the page.
    const overflow = (await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
    expect(overflow).toBeLessThanOrEqual(0);

    expect(problems).toEqual([]);
  }, 90_000);
  it('where reads need the token, asks for it, then reads and streams with the token the operator typed', async () => {
    const feed = new EventFeed();
    feed.publish('nodes', { cluster: VIEW.cluster, arbiter: VIEW.arbiter, nodes: VIEW.nodes });
    const started = await startServer({
      requireTokenForReads: true,
      routes: [
        ...alarmRoutes({ list: () => ({ active: [], cleared: [] }), clear: () => { throw new Error('no alarm'); } }),
        ...operatorRoutes({ metrics: async () => '', history: () => [] }),
        feed.route(),
        ...consoleRoutes(),
      ],
    });
    server = started.server;
    const origin = `http://127.0.0.1:${started.port}`;
    const { page, problems } = await launch(origin);
    expect((await page.goto(`${origin}/`))?.status()).toBe(200);
    await expect.poll(() => page.locator('#message').textContent(), { timeout: 5000 }).toMatch(/wants the management token/);
    expect(await page.locator('[data-node]').count()).toBe(0);

    await page.locator('#token').fill(TOKEN);
    await page.locator('#token').press('Enter');
    await page.locator('[data-node="sip-a"][data-role="primary"]').waitFor({ timeout: 5000 });
    await page.locator('[data-node="sip-b"][data-role="backup"]').waitFor({ timeout: 5000 });
    await expect.poll(() => page.locator('#live').textContent(), { timeout: 5000 }).toBe('live');
    // A change pushed on the stream reaches the page without a reload.
    feed.publish('nodes', { cluster: VIEW.cluster, arbiter: { ...VIEW.arbiter, primary: 'sip-b', term: 4 }, nodes: VIEW.nodes.map((n) => ({ ...n, role: n.id === 'sip-b' ? 'primary' : 'backup', term: 4 })) });
    await page.locator('[data-node="sip-b"][data-role="primary"]').waitFor({ timeout: 5000 });
    expect(await page.locator('#arbiter').textContent()).toContain('term 4, primary sip-b');
    expect(problems).toEqual([]);
  }, 60_000);
});
