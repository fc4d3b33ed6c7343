import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { validateConfig } from '../src/config/validate';
import { ConfigInvalidError, isSwitchyardError, type SwitchyardError } from '../src/errors';
import { CoreEvent } from '../src/events/core-events';
import { isLoopbackHost } from '../src/management/address';
import { ManagementClient } from '../src/management/client';
import { ManagementServer } from '../src/management/server';
import { loadClientTrust, loadServerTls } from '../src/management/tls';
import { FakeControl, makeCertificate, rawRequest, startServer, TOKEN, VIEW } from './management-fixtures';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

function tempFolder(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-mgmt-tls-'));
  cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function rejection(promise: Promise<unknown>): Promise<SwitchyardError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isSwitchyardError(error)) throw new Error(`expected a SwitchyardError, got ${String(error)}`);
  return error;
}

const pair = (hosts: [string, string], management?: Record<string, unknown>) => ({
  cluster: 'c',
  nodes: [
    { id: 'a', host: hosts[0], haPort: 7461 },
    { id: 'b', host: hosts[1], haPort: 7462 },
  ],
  haLink: { secret: '0123456789abcdef0123' },
  ...(management ? { management } : {}),
});

async function issuesOf(config: unknown) {
  const error = await validateConfig(config, { configDir: os.tmpdir() }).then(
    () => undefined,
    (e: unknown) => e,
  );
  return error instanceof ConfigInvalidError ? error.issues : [];
}

describe('management API address rule (validation, nothing bound)', () => {
  it.each([
    ['a wildcard', '0.0.0.0'],
    ['an IPv6 wildcard', '::'],
    ['a LAN address', '192.0.2.10'],
    ['a host name', 'sip-mgmt.example'],
  ])('refuses %s management.host without TLS, with SWY_ERR_MGMT_TLS_REQUIRED at management.tls', async (_, host) => {
    const issues = await issuesOf(pair(['127.0.0.1', '127.0.0.1'], { host, port: 7460 }));
    expect(issues).toEqual([expect.objectContaining({ path: 'management.tls', code: 'SWY_ERR_MGMT_TLS_REQUIRED' })]);
    expect(issues[0]!.message).toContain(host);
    expect(issues[0]!.message).toMatch(/set management\.tls \{ cert, key \}.*or set management\.host to 127\.0\.0\.1/);
  });

  it("refuses a two-host pair whose agents would serve the API on each node's host without TLS", async () => {
    const twoHosts = { ...pair(['192.0.2.1', '192.0.2.2']), arbiter: { kind: 'etcd', endpoints: ['http://192.0.2.254:2379'] } };
    const issues = await issuesOf(twoHosts);
    const tls = issues.find((i) => i.path === 'management.tls');
    expect(tls).toMatchObject({ code: 'SWY_ERR_MGMT_TLS_REQUIRED' });
    expect(tls!.message).toContain("each node's host (192.0.2.1, 192.0.2.2)");
    // A management.host on loopback, or TLS, settles it.
    expect((await issuesOf({ ...twoHosts, management: { host: '127.0.0.1', port: 7460 } })).some((i) => i.path === 'management.tls')).toBe(false);
  });

  it('reports the port clash of a wildcard management address beside the missing TLS', async () => {
    const issues = await issuesOf(pair(['127.0.0.1', '127.0.0.1'], { host: '0.0.0.0', port: 7461 }));
    expect(issues.map((i) => [i.path, i.code])).toEqual(
      expect.arrayContaining([
        ['management.tls', 'SWY_ERR_MGMT_TLS_REQUIRED'],
        ['management.port', 'SWY_ERR_CONFIG_INVALID'],
      ]),
    );
  });

  it.each([
    ['loopback, as today', pair(['127.0.0.1', '127.0.0.1'], { host: '127.0.0.2', port: 7460 })],
    ['the default address of a one-host pair', pair(['127.0.0.1', '127.0.0.1'])],
    ['two loopback "hosts"', pair(['127.0.0.1', '127.0.0.2'])],
    ['a LAN address with TLS', pair(['127.0.0.1', '127.0.0.1'], { host: '0.0.0.0', port: 7460, tls: { cert: 'm.crt', key: 'm.key' } })],
  ])('accepts %s', async (_, config) => {
    expect((await issuesOf(config)).filter((i) => i.path.startsWith('management'))).toEqual([]);
  });

  it('tells loopback from network addresses', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', '127.0.0.256', 'example.org', '::ffff:10.0.0.1']) expect(isLoopbackHost(h), h).toBe(false);
  });

  it('the server itself will not listen off loopback without TLS', () => {
    const build = () => new ManagementServer({ host: '0.0.0.0', port: 0, token: TOKEN, control: new FakeControl(), emit: () => {} });
    expect(build).toThrow(expect.objectContaining({ code: 'SWY_ERR_MGMT_TLS_REQUIRED' }));
  });
});

describe('management API over TLS (on loopback)', () => {
  async function tlsServer(dir: string, extra: Record<string, unknown> = {}) {
    const files = makeCertificate(dir, 'mgmt', 'IP:127.0.0.1');
    const tls = await loadServerTls(files, dir);
    const started = await startServer({ tls, ...extra });
    cleanup.push(() => started.server.close());
    return { ...started, files };
  }

  it('serves HTTPS; the CLI pins management.tls.cert when no CA is given', async () => {
    const dir = tempFolder();
    const { port, files, events } = await tlsServer(dir);
    expect(events[0]).toEqual({ id: CoreEvent.ManagementListening, fields: { scheme: 'https', host: '127.0.0.1', port, auth: 'changes only' } });
    const trust = await loadClientTrust({ cert: files.cert, key: files.key }, dir);
    const client = new ManagementClient({ host: '127.0.0.1', port, tls: trust, token: TOKEN });
    expect(await client.status()).toEqual(VIEW);
    expect(await client.switchover('tls works')).toMatchObject({ ok: true });
  });

  it('trusts a server by management.tls.ca, checking the address the certificate names', async () => {
    const dir = tempFolder();
    const { port, files } = await tlsServer(dir);
    // The self-signed certificate is its own CA.
    const good = new ManagementClient({ host: '127.0.0.1', port, tls: { ca: fs.readFileSync(files.cert, 'utf8') } });
    expect(await good.status()).toEqual(VIEW);

    const other = makeCertificate(dir, 'other-ca', 'IP:127.0.0.1');
    const wrongCa = new ManagementClient({ host: '127.0.0.1', port, tls: { ca: fs.readFileSync(other.cert, 'utf8') } });
    const error = await rejection(wrongCa.status());
    expect(error.code).toBe('SWY_ERR_MGMT_TLS');
    expect(error.message).toContain('management.tls.ca');
  });

  it('refuses a certificate that names another address, even from the trusted CA', async () => {
    const dir = tempFolder();
    const files = makeCertificate(dir, 'elsewhere', 'IP:127.0.0.9');
    const started = await startServer({ tls: await loadServerTls(files, dir) });
    cleanup.push(() => started.server.close());
    const client = new ManagementClient({ host: '127.0.0.1', port: started.port, tls: { ca: fs.readFileSync(files.cert, 'utf8') } });
    expect((await rejection(client.status())).code).toBe('SWY_ERR_MGMT_TLS');
  });

  it('sends nothing, not even the token, to a server whose certificate is not the pinned one', async () => {
    const dir = tempFolder();
    const { port, control, events } = await tlsServer(dir);
    const impostor = makeCertificate(dir, 'pinned', 'IP:127.0.0.1');
    const client = new ManagementClient({ host: '127.0.0.1', port, token: TOKEN, tls: { pin: fs.readFileSync(impostor.cert, 'utf8') } });
    const error = await rejection(client.switchover('should not arrive'));
    expect(error.code).toBe('SWY_ERR_MGMT_TLS');
    expect(error.message).toContain('nothing was sent');
    expect(control.switchovers).toEqual([]);
    expect(events.filter((e) => e.id !== CoreEvent.ManagementListening)).toEqual([]);
  });

  it('a plain-HTTP client gets no answer from the TLS port, and a TLS client of a plain server fails SWY_ERR_MGMT_TLS', async () => {
    const dir = tempFolder();
    const { port, files } = await tlsServer(dir);
    await expect(rawRequest(port, 'GET', '/status')).rejects.toThrow();

    const plain = await startServer();
    cleanup.push(() => plain.server.close());
    const trust = await loadClientTrust({ cert: files.cert, key: files.key }, dir);
    const error = await rejection(new ManagementClient({ host: '127.0.0.1', port: plain.port, tls: trust }).status());
    expect(error.code).toBe('SWY_ERR_MGMT_TLS');
  });

  it('unreadable or mismatched TLS files fail SWY_ERR_MGMT_TLS naming the key', async () => {
    const dir = tempFolder();
    const a = makeCertificate(dir, 'a', 'IP:127.0.0.1');
    const b = makeCertificate(dir, 'b', 'IP:127.0.0.1');
    const missing = await rejection(loadServerTls({ cert: 'nope.crt', key: a.key }, dir));
    expect(missing.code).toBe('SWY_ERR_MGMT_TLS');
    expect(missing.message).toContain('management.tls.cert');
    expect(missing.message).toContain(path.join(dir, 'nope.crt'));
    const mismatched = await rejection(loadServerTls({ cert: a.cert, key: b.key }, dir));
    expect(mismatched.code).toBe('SWY_ERR_MGMT_TLS');
  });
});

describe('the token on every endpoint (as off loopback)', () => {
  it('reads, health and unknown paths need the token too; with it they answer', async () => {
    const started = await startServer({ requireTokenForReads: true });
    cleanup.push(() => started.server.close());
    const { port, events } = started;
    expect(events[0]!.fields['auth']).toBe('every endpoint');
    for (const target of ['/status', '/healthz', '/alarms', '/no-such-path']) {
      const reply = await rawRequest(port, 'GET', target);
      expect(reply.status, target).toBe(401);
      expect(reply.body.error.code).toBe('SWY_ERR_MGMT_UNAUTHORIZED');
    }
    expect(events.filter((e) => e.id === CoreEvent.ManagementUnauthorized)).toHaveLength(4);
    const authorised = await rawRequest(port, 'GET', '/status', { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(authorised).toMatchObject({ status: 200, body: VIEW });
    const client = new ManagementClient({ host: '127.0.0.1', port });
    expect((await rejection(client.status())).code).toBe('SWY_ERR_MGMT_UNAUTHORIZED');
  });

  it('on loopback without that option, reads stay open as before', async () => {
    const started = await startServer();
    cleanup.push(() => started.server.close());
    expect(await rawRequest(started.port, 'GET', '/status')).toMatchObject({ status: 200, body: VIEW });
    expect(started.events[0]!.fields['auth']).toBe('changes only');
  });
});
