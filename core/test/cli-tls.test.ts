import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, freePort, runCli, startUp, tempDir, waitFor, waitForPair, writePairConfig, type UpProcess } from '../src/testing/processes';
import { makeCertificate, rawRequest } from './management-fixtures';

describe('switchyard up with management.tls (real processes, loopback)', () => {
  let up: UpProcess | undefined;
  const dirs: string[] = [];
  beforeAll(() => assertBuilt());
  afterEach(async () => {
    const code = await up?.stop();
    up = undefined;
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
    expect(code ?? 0).toBe(0);
  });

  it('serves HTTPS, and status, switchover and alarms work through the CLI, which pins the certificate', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const { cert, key } = makeCertificate(dir, 'mgmt', 'IP:127.0.0.1');
    const port = await freePort();
    const config = await writePairConfig(dir, {
      management: { host: '127.0.0.1', port, tls: { cert: path.basename(cert), key: path.basename(key) } },
    });
    up = startUp(config);
    const { primary } = await waitForPair(config);
    expect(up.output()).toContain(`management API https://127.0.0.1:${port}`);

    const switched = await runCli(['switchover', '--config', config, '--reason', 'tls test']);
    expect(switched.code, switched.stderr).toBe(0);
    const after = await waitForPair(config, primary.term + 1);
    expect(after.primary.id).not.toBe(primary.id);
    const alarms = await runCli(['alarms', 'list', '--json', '--config', config]);
    expect(alarms.code, alarms.stderr).toBe(0);

    // Plain HTTP gets no answer on that port.
    await expect(rawRequest(port, 'GET', '/status')).rejects.toThrow();
  });

  it('refuses to start when the certificate file cannot be read, with SWY_ERR_MGMT_TLS and nothing left running', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const port = await freePort();
    const config = await writePairConfig(dir, { management: { host: '127.0.0.1', port, tls: { cert: 'missing.crt', key: 'missing.key' } } });
    up = startUp(config);
    const code = await waitFor(() => up!.child.exitCode ?? undefined, 15_000, 'switchyard up to exit');
    expect(code).not.toBe(0);
    expect(up.output()).toContain('SWY_ERR_MGMT_TLS');
    expect(up.output()).toContain(path.join(dir, 'missing.crt'));
    // Checked before the token was written or a node forked.
    expect(fs.existsSync(path.join(dir, '.switchyard', 'management.token'))).toBe(false);
    expect(up.output()).not.toMatch(/01-10043/);
    up = undefined;
  });
});
