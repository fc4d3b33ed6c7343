import * as http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/clock';
import { SwitchoverHistory } from '../src/history/switchover-history';
import { consoleRoutes } from '../src/management/console-routes';
import { EventFeed } from '../src/management/event-feed';
import { operatorRoutes } from '../src/management/operator-routes';
import type { ManagementServer } from '../src/management/server';
import { startServer, TOKEN } from './management-fixtures';

let server: ManagementServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(options: { requireTokenForReads?: boolean; feed?: EventFeed } = {}) {
  const history = new SwitchoverHistory('/nonexistent-never-written', new ManualClock());
  const feed = options.feed ?? new EventFeed();
  const started = await startServer({
    ...(options.requireTokenForReads ? { requireTokenForReads: true } : {}),
    routes: [
      ...operatorRoutes({ metrics: async () => 'switchyard_arbiter_term 3\n', history: () => history.list() }),
      feed.route(),
      ...consoleRoutes(),
    ],
  });
  server = started.server;
  return { ...started, feed };
}

const bearer = { authorization: `Bearer ${TOKEN}` };

describe('operator routes and the console files', () => {
  it('serves the console with a strict CSP and only its own files; no page references anything elsewhere', async () => {
    const { port } = await start();
    const page = await fetch(`http://127.0.0.1:${port}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    const html = await page.text();
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(refs.sort()).toEqual(['/console.css', '/console.js', 'data:,']);
    for (const [file, type] of [['/console.js', 'text/javascript'], ['/console.css', 'text/css']] as const) {
      const res = await fetch(`http://127.0.0.1:${port}${file}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain(type);
      expect(await res.text()).not.toMatch(/https?:\/\//);
    }
    // The script never inserts markup: every value goes through textContent.
    const script = await (await fetch(`http://127.0.0.1:${port}/console.js`)).text();
    expect(script).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
  });

  it('asks the token for /metrics, /history and /events when reads need it, but serves the console files (they hold no data)', async () => {
    const { port } = await start({ requireTokenForReads: true });
    for (const path of ['/metrics', '/history', '/events']) {
      const refused = await fetch(`http://127.0.0.1:${port}${path}`);
      expect(refused.status, path).toBe(401);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('SWY_ERR_MGMT_UNAUTHORIZED');
    }
    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: bearer });
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await metrics.text()).toBe('switchyard_arbiter_term 3\n');
    expect(await (await fetch(`http://127.0.0.1:${port}/history`, { headers: bearer })).json()).toEqual({ switchovers: [] });
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/console.js`)).status).toBe(200);
    // Anything else still answers nothing without the token.
    expect((await fetch(`http://127.0.0.1:${port}/nothing-here`)).status).toBe(401);
  });

  it('streams server-sent events: the latest value of each topic first, then each change, once', async () => {
    const feed = new EventFeed();
    feed.publish('nodes', { nodes: [{ id: 'sip-a', role: 'primary' }] });
    const { port } = await start({ feed });
    const received: string[] = [];
    const request = http.get(`http://127.0.0.1:${port}/events`);
    const response = await new Promise<http.IncomingMessage>((resolve) => request.once('response', resolve));
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    let buffer = '';
    response.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let end: number;
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        received.push(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    });
    const waitFrames = async (count: number) => {
      const deadline = Date.now() + 5000;
      while (received.filter((f) => f.includes('data: ')).length < count) {
        if (Date.now() > deadline) throw new Error(`only ${received.length} frames: ${received.join(' | ')}`);
        await new Promise((r) => setImmediate(r));
      }
    };
    await waitFrames(1);
    expect(received.find((f) => f.includes('data: '))).toBe('event: nodes\ndata: {"nodes":[{"id":"sip-a","role":"primary"}]}');
    expect(feed.size).toBe(1);
    feed.publish('nodes', { nodes: [{ id: 'sip-a', role: 'primary' }] }); // unchanged: not sent again
    feed.publish('nodes', { nodes: [{ id: 'sip-b', role: 'primary' }] });
    await waitFrames(2);
    const data = received.filter((f) => f.includes('data: '));
    expect(data).toHaveLength(2);
    expect(data[1]).toMatch(/^id: \d+\nevent: nodes\ndata: \{"nodes":\[\{"id":"sip-b","role":"primary"\}\]\}$/);
    request.destroy();
    await new Promise((r) => response.once('close', r));
    const deadline = Date.now() + 5000;
    while (feed.size !== 0 && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    expect(feed.size).toBe(0);
  });
});
