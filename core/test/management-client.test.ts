import * as http from 'node:http';
import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isSwitchyardError, type SwitchyardError } from '../src/errors';
import { ManagementClient } from '../src/management/client';
import { startServer, TOKEN, VIEW } from './management-fixtures';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((fn) => fn()));
});

async function start() {
  const started = await startServer();
  cleanup.push(() => started.server.close());
  return started;
}

function client(port: number, token?: string, timeoutMs?: number): ManagementClient {
  return new ManagementClient({ host: '127.0.0.1', port, token, timeoutMs });
}

async function rejection(promise: Promise<unknown>): Promise<SwitchyardError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isSwitchyardError(error)) throw new Error(`expected a SwitchyardError, got ${String(error)}`);
  return error;
}

/** A port nothing listens on: bind one, then let it go. */
async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('ManagementClient', () => {
  it('status() returns the cluster view', async () => {
    const { port } = await start();
    expect(await client(port).status()).toEqual(VIEW);
  });

  it('healthz() is true with a running primary and false without', async () => {
    const { port, control } = await start();
    expect(await client(port).healthz()).toBe(true);
    control.healthyNow = false;
    expect(await client(port).healthz()).toBe(false);
  });

  it('switchover() with the token is carried out with the reason', async () => {
    const { port, control } = await start();
    const result = await client(port, TOKEN).switchover('kernel update');
    expect(result).toEqual({ ok: true, term: 4, primary: 'sip-b' });
    expect(control.switchovers).toEqual([{ reason: 'kernel update', by: 'management-api' }]);
  });

  it('switchover() without a token fails SWY_ERR_MGMT_UNAUTHORIZED and nothing switches', async () => {
    const { port, control } = await start();
    const error = await rejection(client(port).switchover('test'));
    expect(error.code).toBe('SWY_ERR_MGMT_UNAUTHORIZED');
    expect(error.message).toContain('management.token');
    expect(control.switchovers).toEqual([]);
  });

  it('switchover() with a stale token fails SWY_ERR_MGMT_UNAUTHORIZED and nothing switches', async () => {
    const { port, control } = await start();
    const error = await rejection(client(port, 'stale-token').switchover('test'));
    expect(error.code).toBe('SWY_ERR_MGMT_UNAUTHORIZED');
    expect(error.message).toContain('not the current one');
    expect(control.switchovers).toEqual([]);
  });

  it('a refused switchover throws SWY_ERR_SWITCHOVER_REFUSED with the reason and the result', async () => {
    const { port, control } = await start();
    control.result = { ok: false, term: 3, primary: 'sip-a', reason: 'backup sip-b is not running' };
    const error = await rejection(client(port, TOKEN).switchover('test'));
    expect(error.code).toBe('SWY_ERR_SWITCHOVER_REFUSED');
    expect(error.message).toContain('backup sip-b is not running');
    expect(error.details['result']).toEqual(control.result);
  });

  it('a closed port fails SWY_ERR_MGMT_UNREACHABLE naming host:port and `switchyard up`', async () => {
    const port = await closedPort();
    const error = await rejection(client(port).status());
    expect(error.code).toBe('SWY_ERR_MGMT_UNREACHABLE');
    expect(error.message).toContain(`127.0.0.1:${port}`);
    expect(error.message).toContain('switchyard up');
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('a supervisor that does not answer in time fails SWY_ERR_MGMT_UNREACHABLE', async () => {
    const { port, control } = await start();
    control.statusImpl = () => new Promise(() => {});
    const error = await rejection(client(port, undefined, 100).status());
    expect(error.code).toBe('SWY_ERR_MGMT_UNREACHABLE');
    expect(error.message).toContain('did not answer GET /status within 100 ms');
  });

  it('a server failure surfaces with the code the server sent', async () => {
    const { port, control } = await start();
    control.statusImpl = () => Promise.reject(new Error('arbiter exploded'));
    const error = await rejection(client(port).status());
    expect(error.code).toBe('SWY_ERR_MGMT_INTERNAL');
    expect(error.message).toContain('arbiter exploded');
  });

  it('something other than a supervisor on the port fails SWY_ERR_MGMT_UNREACHABLE', async () => {
    const other = http.createServer((_, res) => res.end('<html>hello</html>'));
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise((resolve) => other.close(() => resolve())));
    const { port } = other.address() as net.AddressInfo;
    const error = await rejection(client(port).status());
    expect(error.code).toBe('SWY_ERR_MGMT_UNREACHABLE');
    expect(error.message).toContain('not as a Switchyard supervisor');
  });
});

