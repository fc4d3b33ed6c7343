import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import { freePort, tempDir, waitFor } from '@switchyard/sdk/testing';
import type { TestPki } from './tls';

/**
 * A real single-member etcd on loopback for tests: free client and peer
 * ports, its own data dir. Stop it by pid (stop/kill wait for the exit, since
 * etcd 3.4 takes about 2 s after SIGTERM and holds its port and dir until then).
 */
export interface TestEtcd {
  /** `http://127.0.0.1:<client port>` (`https://` with TLS) */
  readonly endpoint: string;
  readonly dataDir: string;
  /** The running process's pid, or null while stopped. */
  readonly pid: number | null;
  /** The last output of the process, for failure messages. */
  output(): string;
  /** SIGTERM and wait for the exit (SIGKILL after 10 s). */
  stop(): Promise<void>;
  /** SIGKILL and wait for the exit. */
  kill(): Promise<void>;
  /** Starts it again on the same ports and data dir (after stop or kill). */
  restart(): Promise<void>;
  /** Stops it if running and removes its data dir; safe to call twice. */
  dispose(): Promise<void>;
}

/** With `tls`, clients must speak TLS and show a certificate signed by the test CA. */
export async function startEtcd(options: { tls?: TestPki } = {}): Promise<TestEtcd> {
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const dataDir = tempDir('switchyard-etcd-');
  const tls = options.tls;
  const endpoint = `${tls ? 'https' : 'http'}://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const args = [
    '--name', 't',
    '--data-dir', dataDir,
    '--listen-client-urls', endpoint,
    '--advertise-client-urls', endpoint,
    '--listen-peer-urls', peer,
    '--initial-advertise-peer-urls', peer,
    '--initial-cluster', `t=${peer}`,
    '--log-level', 'warn',
    ...(tls ? ['--cert-file', tls.serverCert, '--key-file', tls.serverKey, '--trusted-ca-file', tls.ca, '--client-cert-auth'] : []),
  ];
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  let log = '';

  const launch = async (): Promise<void> => {
    const proc = spawn('etcd', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    const keep = (d: Buffer) => (log = (log + d.toString()).slice(-8000));
    proc.stdout!.on('data', keep);
    proc.stderr!.on('data', keep);
    exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    await waitFor(
      async () => {
        if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`etcd exited:\n${log}`);
        return (await healthy(endpoint, tls)) ? true : undefined;
      },
      10_000,
      `etcd healthy at ${endpoint}`,
    );
  };

  const end = async (signal: NodeJS.Signals): Promise<void> => {
    const proc = child;
    if (!proc) return;
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    const force = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(force);
    child = null;
  };

  await launch().catch(async (error: unknown) => {
    await end('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw error;
  });

  return {
    endpoint,
    dataDir,
    get pid() {
      return child?.pid ?? null;
    },
    output: () => log,
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
    restart: async () => {
      await end('SIGTERM');
      await launch();
    },
    dispose: async () => {
      await end('SIGKILL');
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** etcd's /health answer (over TLS with the test client certificate when `tls` is given). */
async function healthy(endpoint: string, tls: TestPki | undefined): Promise<boolean> {
  if (!tls) {
    const res = await fetch(`${endpoint}/health`).catch(() => undefined);
    const body = res?.ok ? ((await res.json()) as { health?: string }) : undefined;
    return body?.health === 'true';
  }
  return new Promise((resolve) => {
    const req = https.get(
      `${endpoint}/health`,
      { ca: fs.readFileSync(tls.ca), cert: fs.readFileSync(tls.clientCert), key: fs.readFileSync(tls.clientKey) },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve(res.statusCode === 200 && body.includes('"health":"true"')));
      },
    );
    req.on('error', () => resolve(false));
  });
}
