import * as http from 'node:http';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isSwitchyardError, SwitchyardError } from '../src/errors';
import { CoreEvent } from '../src/events/core-events';
import { MAX_BODY_BYTES, ManagementServer } from '../src/management/server';
import { FakeControl, rawRequest, startServer, TOKEN, VIEW } from './management-fixtures';

const open: ManagementServer[] = [];
async function start(...args: Parameters<typeof startServer>) {
  const started = await startServer(...args);
  open.push(started.server);
  return started;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

const auth = { authorization: `Bearer ${TOKEN}` };

describe('ManagementServer', () => {
  it('listens on the port it was given (0 = any) and emits ManagementListening', async () => {
    const { port, host, events } = await start();
    expect(host).toBe('127.0.0.1');
    expect(port).toBeGreaterThan(0);
    expect(events).toEqual([{ id: CoreEvent.ManagementListening, fields: { scheme: 'http', host: '127.0.0.1', port, auth: 'changes only' } }]);
  });

  it('refuses to start on a port already taken, with SWY_ERR_MGMT_LISTEN', async () => {
    const { port } = await start();
    const second = new ManagementServer({ host: '127.0.0.1', port, token: TOKEN, control: new FakeControl(), emit: () => {} });
    const error = await second.listen().catch((e: unknown) => e);
    expect(isSwitchyardError(error, 'SWY_ERR_MGMT_LISTEN')).toBe(true);
    expect((error as Error).message).toContain(`127.0.0.1:${port}`);
  });

  it('GET /status answers the cluster view without a token', async () => {
    const { port } = await start();
    const reply = await rawRequest(port, 'GET', '/status');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toMatch(/^application\/json/);
    expect(reply.body).toEqual(VIEW);
  });

  it('GET /healthz is 200 {ok:true} with a running primary, 503 {ok:false} without', async () => {
    const { port, control } = await start();
    expect(await rawRequest(port, 'GET', '/healthz')).toMatchObject({ status: 200, body: { ok: true } });
    control.healthyNow = false;
    expect(await rawRequest(port, 'GET', '/healthz')).toMatchObject({ status: 503, body: { ok: false } });
  });

  it('POST /switchover without a token is 401 with WWW-Authenticate, logged, and the control is not called', async () => {
    const { port, control, events } = await start();
    const reply = await rawRequest(port, 'POST', '/switchover', { body: '{"reason":"test"}' });
    expect(reply.status).toBe(401);
    expect(reply.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(reply.body.error.code).toBe('SWY_ERR_MGMT_UNAUTHORIZED');
    expect(control.switchovers).toEqual([]);
    const refused = events.find((e) => e.id === CoreEvent.ManagementUnauthorized);
    expect(refused?.fields).toMatchObject({ method: 'POST', path: '/switchover', reason: 'no bearer token' });
    expect(refused?.fields['remote']).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it.each([
    ['a wrong token of the same length', `Bearer ${TOKEN.replace(/.$/, '!')}`],
    ['a shorter token', 'Bearer abc'],
    ['another scheme', `Basic ${TOKEN}`],
  ])('POST /switchover with %s is 401 and the control is not called', async (_, header) => {
    const { port, control, events } = await start();
    const reply = await rawRequest(port, 'POST', '/switchover', { headers: { authorization: header } });
    expect(reply.status).toBe(401);
    expect(reply.headers['www-authenticate']).toContain('invalid_token');
    expect(control.switchovers).toEqual([]);
    expect(events.some((e) => e.id === CoreEvent.ManagementUnauthorized)).toBe(true);
  });

  it('POST /switchover with the token calls the control with the reason and answers its result', async () => {
    const { port, control } = await start();
    const reply = await rawRequest(port, 'POST', '/switchover', { headers: auth, body: '{"reason":"kernel update"}' });
    expect(reply).toMatchObject({ status: 200, body: { ok: true, term: 4, primary: 'sip-b' } });
    expect(control.switchovers).toEqual([{ reason: 'kernel update', by: 'management-api' }]);
  });

  it('POST /switchover without a body uses a default reason', async () => {
    const { port, control } = await start();
    expect((await rawRequest(port, 'POST', '/switchover', { headers: auth })).status).toBe(200);
    expect(control.switchovers).toEqual([{ reason: 'requested through the management API', by: 'management-api' }]);
  });

  it('a refused switchover is 409 with the result', async () => {
    const { port, control } = await start();
    control.result = { ok: false, term: 3, primary: 'sip-a', reason: 'no healthy backup' };
    const reply = await rawRequest(port, 'POST', '/switchover', { headers: auth });
    expect(reply).toMatchObject({ status: 409, body: control.result });
  });

  it('unknown paths are 404, wrong methods 405 with Allow', async () => {
    const { port } = await start();
    const missing = await rawRequest(port, 'GET', '/nope');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('SWY_ERR_MGMT_NOT_FOUND');

    const postStatus = await rawRequest(port, 'POST', '/status', { headers: auth });
    expect(postStatus.status).toBe(405);
    expect(postStatus.headers['allow']).toBe('GET');
    expect(postStatus.body.error.code).toBe('SWY_ERR_MGMT_METHOD_NOT_ALLOWED');

    const getSwitchover = await rawRequest(port, 'GET', '/switchover');
    expect(getSwitchover.status).toBe(405);
    expect(getSwitchover.headers['allow']).toBe('POST');
  });

  it('invalid JSON or a non-string reason is 400, the control is not called, and the server keeps answering', async () => {
    const { port, control } = await start();
    const garbage = await rawRequest(port, 'POST', '/switchover', { headers: auth, body: '{"reason": nope' });
    expect(garbage.status).toBe(400);
    expect(garbage.body.error.code).toBe('SWY_ERR_MGMT_BAD_REQUEST');

    const badReason = await rawRequest(port, 'POST', '/switchover', { headers: auth, body: '{"reason": 42}' });
    expect(badReason.status).toBe(400);
    expect(badReason.body.error.message).toContain('Key "reason"');

    expect(control.switchovers).toEqual([]);
    expect((await rawRequest(port, 'GET', '/status')).status).toBe(200);
  });

  it.each([
    ['with Content-Length', false],
    ['chunked', true],
  ])('a body over 64 KiB (%s) is 413 and the server keeps answering', async (_, chunked) => {
    const { port, control } = await start();
    const body = JSON.stringify({ reason: 'x'.repeat(MAX_BODY_BYTES) });
    const reply = await rawRequest(port, 'POST', '/switchover', { headers: auth, body, chunked });
    expect(reply.status).toBe(413);
    expect(reply.body.error.code).toBe('SWY_ERR_MGMT_BODY_TOO_LARGE');
    expect(control.switchovers).toEqual([]);
    expect((await rawRequest(port, 'GET', '/status')).status).toBe(200);
  });

  it('an exception in the control is a 500 with a code, and the server keeps answering', async () => {
    const { port, control } = await start();
    control.statusImpl = () => Promise.reject(new Error('arbiter exploded'));
    const plain = await rawRequest(port, 'GET', '/status');
    expect(plain.status).toBe(500);
    expect(plain.body.error).toMatchObject({ code: 'SWY_ERR_MGMT_INTERNAL', message: expect.stringContaining('arbiter exploded') });

    control.statusImpl = () => Promise.reject(new SwitchyardError('SWY_ERR_ENGINE_STATE', 'not started yet'));
    const coded = await rawRequest(port, 'GET', '/status');
    expect(coded).toMatchObject({ status: 500, body: { error: { code: 'SWY_ERR_ENGINE_STATE', message: 'not started yet' } } });

    control.statusImpl = undefined;
    expect((await rawRequest(port, 'GET', '/status')).status).toBe(200);
  });

  it('serves extra routes from the table, with :params and the token check', async () => {
    const cleared: string[] = [];
    const { port } = await start({
      routes: [
        { method: 'GET', path: '/alarms', requiresToken: false, handler: () => ({ status: 200, body: [] }) },
        {
          method: 'POST',
          path: '/alarms/:id/clear',
          requiresToken: true,
          handler: ({ params }) => {
            cleared.push(params['id']!);
            return { status: 200, body: { cleared: params['id'] } };
          },
        },
      ],
    });
    expect(await rawRequest(port, 'GET', '/alarms')).toMatchObject({ status: 200, body: [] });
    expect((await rawRequest(port, 'POST', '/alarms/a%2Fb/clear')).status).toBe(401);
    expect(await rawRequest(port, 'POST', '/alarms/a%2Fb/clear', { headers: auth })).toMatchObject({
      status: 200,
      body: { cleared: 'a/b' },
    });
    expect(cleared).toEqual(['a/b']);
  });

  it('close() does not wait for a request the control never answers', async () => {
    const { server, port, control } = await start();
    let asked!: () => void;
    const reached = new Promise<void>((resolve) => (asked = resolve));
    control.statusImpl = () => {
      asked();
      return new Promise(() => {});
    };
    const pending = rawRequest(port, 'GET', '/status');
    await reached;
    await server.close();
    await expect(pending).rejects.toThrow(/socket hang up|ECONNRESET/);
  });

  it('close() also closes idle keep-alive connections', async () => {
    const { server, port } = await start();
    const agent = new http.Agent({ keepAlive: true });
    const idle = new Promise<Socket>((resolve) => agent.once('free', resolve));
    http.get({ host: '127.0.0.1', port, path: '/status', agent }, (res) => res.resume());
    const socket = await idle;
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const started = Date.now();
    await server.close();
    await closed;
    // Well under the 5 s keep-alive timeout that would otherwise hold the connection open.
    expect(Date.now() - started).toBeLessThan(1000);
    agent.destroy();
  });
});
