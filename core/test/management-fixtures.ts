import { execFileSync } from 'node:child_process';
import path from 'node:path';
import * as http from 'node:http';
import type { ClusterStatusView, SupervisorControl, SwitchoverResult } from '../src/management/types';
import { ManagementServer, type ManagementServerOptions } from '../src/management/server';

export const TOKEN = 'test-token-0123456789abcdefghijklmnopqrstuvw';

export const VIEW: ClusterStatusView = {
  cluster: 'lab',
  arbiter: { kind: 'embedded', term: 3, primary: 'sip-a', connected: true },
  nodes: [
    { id: 'sip-a', role: 'primary', status: 'running', pid: 4121, term: 3, lastHeartbeat: 0.4, restarts: 0 },
    { id: 'sip-b', role: 'backup', status: 'running', pid: 4122, term: 3, lastHeartbeat: 1.2, restarts: 1 },
  ],
};

/** A SupervisorControl whose answers a test sets and whose switchover calls it records. */
export class FakeControl implements SupervisorControl {
  healthyNow = true;
  view: ClusterStatusView = VIEW;
  result: SwitchoverResult = { ok: true, term: 4, primary: 'sip-b' };
  statusImpl: (() => Promise<ClusterStatusView>) | undefined;
  readonly switchovers: { reason: string; by: string }[] = [];

  status(): Promise<ClusterStatusView> {
    return this.statusImpl ? this.statusImpl() : Promise.resolve(this.view);
  }
  healthy(): boolean {
    return this.healthyNow;
  }
  async switchover(request: { reason: string; by: string }): Promise<SwitchoverResult> {
    this.switchovers.push(request);
    return this.result;
  }
}

export interface Emitted {
  id: string;
  fields: Record<string, unknown>;
}

export async function startServer(extra: Partial<ManagementServerOptions> = {}) {
  const control = new FakeControl();
  const events: Emitted[] = [];
  const server = new ManagementServer({
    host: '127.0.0.1',
    port: 0,
    token: TOKEN,
    control,
    emit: (id, fields) => events.push({ id, fields }),
    ...extra,
  });
  const address = await server.listen();
  return { server, control, events, ...address };
}

export interface RawReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: any;
}

/** A plain HTTP request (no ManagementClient), for what the client never sends. */
export function rawRequest(
  port: number,
  method: string,
  path: string,
  options: { headers?: Record<string, string | number>; body?: string | Buffer; chunked?: boolean } = {},
): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const headers = { ...options.headers };
    if (options.body !== undefined && !options.chunked) headers['content-length'] = Buffer.byteLength(options.body);
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text === '' ? undefined : JSON.parse(text) });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/**
 * A self-signed certificate and its key (EC P-256, one day), made by
 * openssl in `dir`; `san` is its subjectAltName (e.g. `IP:127.0.0.1`).
 * A missing openssl fails the test: it is part of the setup.
 */
export function makeCertificate(dir: string, name: string, san: string): { cert: string; key: string } {
  const cert = path.join(dir, `${name}.crt`);
  const key = path.join(dir, `${name}.key`);
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', `/CN=${name}`, '-addext', `subjectAltName=${san}`, '-keyout', key, '-out', cert],
    { timeout: 15_000, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return { cert, key };
}
