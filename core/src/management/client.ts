/**
 * The CLI's client for the supervisor's management API. Every failure is a
 * SwitchyardError whose message says what to do next.
 */
import type { HistoryView } from './operator-routes';
import * as http from 'node:http';
import type { Duplex } from 'node:stream';
import * as tls from 'node:tls';
import { isIP } from 'node:net';
import { ERROR_CODES, SwitchyardError, type ErrorCode } from '../errors';
import { hostPort } from './address';
import { certificateFingerprint, type ManagementTlsTrust } from './tls';
import type { AlarmClearResult, AlarmListView, ClusterStatusView, SwitchoverResult } from './types';

/** Long enough for a switchover the supervisor carries out before answering. */
export const DEFAULT_MANAGEMENT_TIMEOUT_MS = 10_000;

export interface ManagementClientOptions {
  host: string;
  port: number;
  /** The bearer token from `<runtimeDir>/management.token` (`readTokenFile`); switchover and clearing an alarm need it. */
  token?: string;
  /** Per request, from connecting to the last byte of the answer. */
  timeoutMs?: number;
  /**
   * Talk HTTPS, trusting the server by a CA or by pinning its certificate
   * (`loadClientTrust` reads it from `management.tls`). Nothing, not even
   * the token, is sent before the server passed that check.
   */
  tls?: ManagementTlsTrust;
}

interface Reply {
  status: number;
  body: unknown;
}

export class ManagementClient {
  constructor(private readonly options: ManagementClientOptions) {}

  /** `GET /status`. */
  async status(): Promise<ClusterStatusView> {
    const reply = await this.request('GET', '/status');
    if (reply.status !== 200) throw this.failure('GET /status', reply);
    if (!isRecord(reply.body) || !Array.isArray(reply.body['nodes'])) throw this.notSwitchyard('GET /status', reply.status);
    return reply.body as unknown as ClusterStatusView;
  }

  /** `GET /healthz`: true when a primary is running. */
  async healthz(): Promise<boolean> {
    const reply = await this.request('GET', '/healthz');
    if (reply.status === 200) return true;
    if (reply.status === 503) return false;
    throw this.failure('GET /healthz', reply);
  }

  /**
   * `POST /switchover`. Resolves with the result when the supervisor carried
   * it out; throws SWY_ERR_SWITCHOVER_REFUSED (details.result) when refused.
   */
  async switchover(reason?: string): Promise<SwitchoverResult> {
    const what = 'POST /switchover';
    const reply = await this.request('POST', '/switchover', reason === undefined ? undefined : { reason });
    if (reply.status !== 200 && reply.status !== 409) throw this.failure(what, reply);
    if (!isSwitchoverResult(reply.body)) throw this.notSwitchyard(what, reply.status);
    const result = reply.body;
    if (reply.status === 200) return result;
    throw new SwitchyardError(
      'SWY_ERR_SWITCHOVER_REFUSED',
      `Switchover refused: ${result.reason ?? 'the supervisor gave no reason'} ` +
        `(term ${result.term}, primary ${result.primary ?? 'none'}).`,
      { details: { result } },
    );
  }

  /** `GET /alarms`: active alarms and the recently cleared ones. */
  async alarms(): Promise<AlarmListView> {
    const reply = await this.request('GET', '/alarms');
    if (reply.status !== 200) throw this.failure('GET /alarms', reply);
    if (!isRecord(reply.body) || !Array.isArray(reply.body['active']) || !Array.isArray(reply.body['cleared'])) {
      throw this.notSwitchyard('GET /alarms', reply.status);
    }
    return reply.body as unknown as AlarmListView;
  }

  /** `GET /history`: past switchovers, the newest first. */
  async history(): Promise<HistoryView> {
    const reply = await this.request('GET', '/history');
    if (reply.status !== 200) throw this.failure('GET /history', reply);
    if (!isRecord(reply.body) || !Array.isArray(reply.body['switchovers'])) throw this.notSwitchyard('GET /history', reply.status);
    return reply.body as unknown as HistoryView;
  }

  /**
   * `POST /alarms/<id>/clear` (needs the token). Throws SWY_ERR_ALARM_NOT_FOUND
   * when no active alarm has that id.
   */
  async clearAlarm(id: string, by?: string): Promise<AlarmClearResult> {
    const path = `/alarms/${encodeURIComponent(id)}/clear`;
    const what = `POST ${path}`;
    const reply = await this.request('POST', path, by === undefined ? undefined : { by });
    if (reply.status !== 200) throw this.failure(what, reply);
    if (!isRecord(reply.body) || !isRecord(reply.body['alarm'])) throw this.notSwitchyard(what, reply.status);
    return reply.body as unknown as AlarmClearResult;
  }

  private get address(): string {
    return `${this.options.tls ? 'https' : 'http'}://${hostPort(this.options.host, this.options.port)}`;
  }

  /**
   * A TLS socket handed to the request only once the server is trusted:
   * verified against the CA, or its certificate equal to the pinned one.
   */
  private connectTls(trust: ManagementTlsTrust, done: (error: Error | null, socket: Duplex) => void): void {
    const { host, port } = this.options;
    const pinned = 'pin' in trust ? certificateFingerprint(trust.pin) : undefined;
    const socket = tls.connect({
      host,
      port,
      ...(isIP(host) === 0 ? { servername: host } : {}),
      ...('ca' in trust ? { ca: trust.ca } : { rejectUnauthorized: false }),
    });
    let settled = false;
    const finish = (error: Error | null): void => {
      if (settled) return;
      settled = true;
      socket.off('error', finish);
      if (error) socket.destroy();
      done(error, socket);
    };
    socket.once('error', finish);
    socket.once('secureConnect', () => {
      if (pinned === undefined) return finish(null);
      const presented = socket.getPeerCertificate().fingerprint256;
      if (presented === pinned) return finish(null);
      finish(
        new SwitchyardError(
          'SWY_ERR_MGMT_TLS',
          `The server at ${this.address} presented certificate ${presented ?? 'none'}, not the one in management.tls.cert (${pinned}); ` +
            'nothing was sent. If the certificate was replaced, update management.tls.cert (or set management.tls.ca) on this host.',
          { details: { host, port, presented, pinned } },
        ),
      );
    });
  }

  private request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Reply> {
    const { host, port, token } = this.options;
    const timeoutMs = this.options.timeoutMs ?? DEFAULT_MANAGEMENT_TIMEOUT_MS;
    const what = `${method} ${path}`;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string | number> = { accept: 'application/json' };
    if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(payload);
    }

    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (outcome: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        outcome();
      };
      const lost = (error: Error): void => settle(() => reject(this.unreachable(what, error)));

      // One connection per call, so nothing keeps the CLI alive afterwards: agent: false, or (TLS)
      // no agent at all, the only way node:http calls our createConnection.
      const trust = this.options.tls;
      const connection = trust
        ? {
            createConnection: (_: unknown, done: (error: Error | null, socket: Duplex) => void): undefined => {
              this.connectTls(trust, done);
              return undefined;
            },
          }
        : { agent: false as const };
      const req = http.request({ host, port, method, path, headers, ...connection }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', lost);
        res.on('close', () => {
          if (!res.complete) lost(new Error('the connection closed before the answer was complete'));
        });
        res.on('end', () =>
          settle(() => {
            try {
              resolve({ status: res.statusCode ?? 0, body: parseJson(Buffer.concat(chunks).toString('utf8')) });
            } catch {
              reject(this.notSwitchyard(what, res.statusCode ?? 0));
            }
          }),
        );
      });
      const timer = setTimeout(() => {
        settle(() =>
          reject(
            new SwitchyardError(
              'SWY_ERR_MGMT_UNREACHABLE',
              `The supervisor at ${this.address} did not answer ${what} within ${timeoutMs} ms. ` +
                'It may be stuck (see its log); if it is not running, start it with `switchyard up`.',
              { details: { host, port, timeoutMs } },
            ),
          ),
        );
        req.destroy();
      }, timeoutMs);
      req.on('error', lost);
      req.end(payload);
    });
  }

  private unreachable(what: string, error: Error): SwitchyardError {
    if (error instanceof SwitchyardError) return error;
    const code = (error as NodeJS.ErrnoException).code;
    if (isTlsFailure(error)) {
      const hint = this.options.tls
        ? 'Check that management.tls.ca signed the server certificate and that it names this address, or leave ca out to pin management.tls.cert.'
        : 'The server may speak HTTPS: set management.tls in the config the CLI reads.';
      return new SwitchyardError(
        'SWY_ERR_MGMT_TLS',
        `TLS with the supervisor at ${this.address} failed for ${what} (${code ?? error.message}); nothing was sent. ${hint}`,
        { cause: error, details: { host: this.options.host, port: this.options.port } },
      );
    }
    return new SwitchyardError(
      'SWY_ERR_MGMT_UNREACHABLE',
      `No Switchyard supervisor answered ${what} at ${this.address} (${code ?? error.message}). ` +
        'Start it with `switchyard up`, or check management.host/port in the config.',
      { cause: error, details: { host: this.options.host, port: this.options.port } },
    );
  }

  private notSwitchyard(what: string, status: number): SwitchyardError {
    return new SwitchyardError(
      'SWY_ERR_MGMT_UNREACHABLE',
      `Something answered ${what} at ${this.address} (HTTP ${status}), but not as a Switchyard supervisor. ` +
        'Check management.host/port in the config.',
      { details: { host: this.options.host, port: this.options.port, status } },
    );
  }

  /** An answer other than the route's expected ones, as the error the server named. */
  private failure(what: string, reply: Reply): SwitchyardError {
    const details = { host: this.options.host, port: this.options.port, status: reply.status };
    const served = serverError(reply.body);
    if (reply.status === 401) {
      const message =
        this.options.token === undefined
          ? `${what} needs the bearer token and none was given; the CLI reads it from <runtimeDir>/management.token.`
          : `The supervisor at ${this.address} refused the token for ${what}: it is not the current one ` +
            '(`switchyard up` writes a new management.token each time it starts).';
      return new SwitchyardError('SWY_ERR_MGMT_UNAUTHORIZED', message, { details });
    }
    if (served === undefined) return this.notSwitchyard(what, reply.status);
    const message = `The supervisor at ${this.address} answered ${what} with HTTP ${reply.status}: ${served.message}`;
    // Codes this CLI does not know (a newer supervisor) are reported as internal failures.
    const code: ErrorCode = Object.hasOwn(ERROR_CODES, served.code) ? (served.code as ErrorCode) : 'SWY_ERR_MGMT_INTERNAL';
    return new SwitchyardError(code, message, { details: { ...details, serverCode: served.code } });
  }
}

/** Certificate checks, handshake failures, and a plain-HTTP server answering a TLS hello. */
function isTlsFailure(error: Error): boolean {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  return code === 'EPROTO' || code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_') || /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|HOSTNAME/.test(code);
}

function parseJson(text: string): unknown {
  return text.trim() === '' ? undefined : JSON.parse(text);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isSwitchoverResult(value: unknown): value is SwitchoverResult {
  return isRecord(value) && typeof value['ok'] === 'boolean' && typeof value['term'] === 'number';
}

function serverError(body: unknown): { code: string; message: string } | undefined {
  if (!isRecord(body) || !isRecord(body['error'])) return undefined;
  const { code, message } = body['error'];
  return typeof code === 'string' && typeof message === 'string' ? { code, message } : undefined;
}
