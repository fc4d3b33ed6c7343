/**
 * The supervisor's management API over node:http (or node:https with
 * `management.tls`): JSON in, JSON out, one error shape, a bearer token on
 * state-changing routes — and on every route when the address is not
 * loopback, where TLS is required. Endpoints live in a route table
 * ({@link RouteTable}); this file does only the HTTP.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { describeError, isSwitchyardError, SwitchyardError } from '../errors';
import { CoreEvent } from '../events/core-events';
import { hostPort, isLoopbackHost, urlHost } from './address';
import {
  errorResponse,
  RouteTable,
  type HttpMethod,
  type ManagementResponse,
  type ManagementRoute,
} from './router';
import { supervisorRoutes } from './supervisor-routes';
import type { ManagementTlsServerMaterial } from './tls';
import type { SupervisorControl } from './types';

/** Request bodies above this are answered 413 and not buffered. */
export const MAX_BODY_BYTES = 64 * 1024;

/** Emits a catalogued log event (the supervisor's logger). */
export type ManagementEmit = (eventId: string, fields: Record<string, unknown>) => void;

export interface ManagementServerOptions {
  host: string;
  /** 0 picks a free port; {@link ManagementServer.listen} returns the one bound. */
  port: number;
  /** The bearer token state-changing routes require (see `createTokenFile`). */
  token: string;
  control: SupervisorControl;
  emit: ManagementEmit;
  /** Further endpoints (e.g. alarms), matched after the supervisor's own. */
  routes?: readonly ManagementRoute[];
  /** Serve HTTPS with this certificate and key (`loadServerTls`). Required on a non-loopback host. */
  tls?: ManagementTlsServerMaterial;
  /** Ask the token on reads too (status, healthz, alarms). Always on off loopback; default off on loopback. */
  requireTokenForReads?: boolean;
}

export interface ManagementAddress {
  host: string;
  port: number;
}

export class ManagementServer {
  private readonly server: http.Server | https.Server;
  private readonly routes: RouteTable;
  private readonly tokenDigest: Buffer;
  /** Off loopback every route needs the token, reads included. */
  private readonly tokenForAll: boolean;
  /** `https` with TLS, else `http`. */
  readonly scheme: 'http' | 'https';

  constructor(private readonly options: ManagementServerOptions) {
    const { host, port, tls } = options;
    const exposed = !isLoopbackHost(host);
    this.tokenForAll = exposed || options.requireTokenForReads === true;
    if (exposed && tls === undefined) {
      throw new SwitchyardError(
        'SWY_ERR_MGMT_TLS_REQUIRED',
        `The management API will not listen on ${hostPort(host, port)} without TLS: that address is reachable from the network. ` +
          'Set management.tls { cert, key }, or management.host to 127.0.0.1.',
        { details: { host, port } },
      );
    }
    this.routes = new RouteTable([...supervisorRoutes(options.control), ...(options.routes ?? [])]);
    this.tokenDigest = digest(options.token);
    this.scheme = tls ? 'https' : 'http';
    const serverOptions = { requestTimeout: 30_000, headersTimeout: 10_000 };
    const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => void this.handle(req, res);
    this.server = tls
      ? https.createServer({ ...serverOptions, cert: tls.cert, key: tls.key, handshakeTimeout: 10_000 }, onRequest)
      : http.createServer(serverOptions, onRequest);
    // After listen, 'error' only reports failed accepts (e.g. EMFILE); Node keeps
    // listening, and an unhandled 'error' would kill the supervisor.
    this.server.on('error', () => undefined);
  }

  /** Starts listening; resolves with the address actually bound. */
  listen(): Promise<ManagementAddress> {
    const { host, port } = this.options;
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => {
        reject(
          new SwitchyardError(
            'SWY_ERR_MGMT_LISTEN',
            `The management API cannot listen on ${hostPort(host, port)}: ${error.message}. ` +
              'Change management.port (or stop what holds it) and check management.host.',
            { cause: error, details: { host, port } },
          ),
        );
      };
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        const address = this.server.address() as AddressInfo;
        const bound = { host: address.address, port: address.port };
        try {
          this.options.emit(CoreEvent.ManagementListening, {
            scheme: this.scheme,
            host: urlHost(bound.host),
            port: bound.port,
            auth: this.tokenForAll ? 'every endpoint' : 'changes only',
          });
        } catch (error) {
          this.server.close();
          reject(error);
          return;
        }
        resolve(bound);
      });
    });
  }

  /**
   * Stops listening and closes every connection, idle keep-alive ones and
   * those with a request in flight (a supervisor that stops does not wait for
   * a switchover it can no longer carry out).
   */
  close(): Promise<void> {
    if (!this.server.listening) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.server.close((error) => (error ? reject(error) : resolve()));
      this.server.closeAllConnections();
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const [path, query] = splitTarget(req.url ?? '/');
    let response: ManagementResponse;
    try {
      response = await this.answer(req, method, path, query);
    } catch (error) {
      response = internalError(method, path, error);
    }
    try {
      send(res, response);
    } catch (error) {
      // The handler's body would not serialise (e.g. a BigInt in a plugin section).
      send(res, internalError(method, path, error));
    }
  }

  private async answer(
    req: http.IncomingMessage,
    method: string,
    path: string,
    query: URLSearchParams,
  ): Promise<ManagementResponse> {
    const remote = remoteOf(req.socket);
    // HEAD is answered as GET; node:http sends no body with it.
    const match = this.routes.match(method === 'HEAD' ? 'GET' : method, path);
    // Off loopback nothing is answered, not even "no such path", without the token (the console's static files aside).
    if (this.tokenForAll && !(match.kind === 'found' && match.route.public === true)) {
      const refused = this.refuseWithoutToken(req, method, path, remote);
      if (refused) return refused;
    }
    switch (match.kind) {
      case 'not-found':
        return errorResponse(404, 'SWY_ERR_MGMT_NOT_FOUND', `The management API has no endpoint ${path}.`);
      case 'method-not-allowed': {
        const allow = match.allow.join(', ');
        return errorResponse(
          405,
          'SWY_ERR_MGMT_METHOD_NOT_ALLOWED',
          `${path} does not accept ${method}; use ${allow}.`,
          { allow },
        );
      }
      case 'bad-path':
        return errorResponse(400, 'SWY_ERR_MGMT_BAD_REQUEST', `${path} has a malformed %-escape.`);
      case 'found':
        break;
    }

    if (match.route.requiresToken && !this.tokenForAll) {
      const refused = this.refuseWithoutToken(req, method, path, remote);
      if (refused) return refused;
    }

    let body: unknown;
    if (method !== 'GET') {
      const read = await readBody(req);
      if (read === 'too-large') {
        return errorResponse(
          413,
          'SWY_ERR_MGMT_BODY_TOO_LARGE',
          `${method} ${path}: the body is over ${MAX_BODY_BYTES} bytes.`,
        );
      }
      if (read.trim() !== '') {
        try {
          body = JSON.parse(read);
        } catch (error) {
          return errorResponse(
            400,
            'SWY_ERR_MGMT_BAD_REQUEST',
            `${method} ${path}: the body is not valid JSON (${describeError(error)}).`,
          );
        }
      }
    }

    return match.route.handler({ method: method as HttpMethod, path, params: match.params, query, body, remote });
  }

  /** A 401 answer (and a 01-10051 event) when the request lacks the current token. */
  private refuseWithoutToken(req: http.IncomingMessage, method: string, path: string, remote: string): ManagementResponse | undefined {
    const refusal = this.checkToken(req.headers.authorization);
    if (refusal === undefined) return undefined;
    this.options.emit(CoreEvent.ManagementUnauthorized, { method, path, remote, reason: refusal.reason });
    return errorResponse(401, 'SWY_ERR_MGMT_UNAUTHORIZED', `${method} ${path} refused: ${refusal.message}`, {
      'www-authenticate': refusal.challenge,
    });
  }

  private checkToken(header: string | undefined): { reason: string; message: string; challenge: string } | undefined {
    if (header === undefined || header.trim() === '') {
      return {
        reason: 'no bearer token',
        message: 'send Authorization: Bearer <token>, with the token `switchyard up` wrote to management.token.',
        challenge: 'Bearer realm="switchyard"',
      };
    }
    const given = /^Bearer +(\S+) *$/i.exec(header)?.[1];
    // Digests have equal length, so timingSafeEqual neither throws nor leaks the token's length.
    if (given === undefined || !timingSafeEqual(digest(given), this.tokenDigest)) {
      return {
        reason: given === undefined ? 'Authorization is not a bearer token' : 'wrong bearer token',
        message:
          'the bearer token is not the current one; `switchyard up` writes a new management.token each time it starts.',
        challenge: 'Bearer realm="switchyard", error="invalid_token"',
      };
    }
    return undefined;
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** Reads the body up to {@link MAX_BODY_BYTES}; past that, the rest is drained unbuffered. */
function readBody(req: http.IncomingMessage): Promise<string | 'too-large'> {
  const declared = Number(req.headers['content-length']);
  // Node drains the unread body after the answer, so the connection stays usable.
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) return Promise.resolve('too-large');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        settled = true;
        chunks.length = 0;
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (settled) return;
      settled = true;
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('close', () => {
      if (settled) return;
      settled = true;
      reject(new Error('the client closed the connection before the body was complete'));
    });
  });
}

/** Sent with every answer: nothing of the API is to be sniffed, framed or cached. */
const SAFETY_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
} as const;

function send(res: http.ServerResponse, response: ManagementResponse): void {
  if (res.headersSent || res.writableEnded || res.destroyed) return;
  if (response.stream) {
    res.writeHead(response.status, {
      'content-type': 'text/event-stream; charset=utf-8',
      connection: 'keep-alive',
      ...SAFETY_HEADERS,
      ...response.headers,
    });
    res.flushHeaders();
    const listeners: (() => void)[] = [];
    res.on('close', () => listeners.splice(0).forEach((listener) => listener()));
    response.stream({
      write: (chunk) => (res.writableEnded || res.destroyed ? false : res.write(chunk)),
      onClose: (listener) => listeners.push(listener),
    });
    return;
  }
  const payload = response.raw ? response.raw.text : `${JSON.stringify(response.body)}\n`;
  res.writeHead(response.status, {
    'content-type': response.raw ? response.raw.contentType : 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    ...SAFETY_HEADERS,
    ...response.headers,
  });
  res.end(payload);
}

function internalError(method: string, path: string, error: unknown): ManagementResponse {
  if (isSwitchyardError(error)) return errorResponse(500, error.code, error.message);
  return errorResponse(
    500,
    'SWY_ERR_MGMT_INTERNAL',
    `The supervisor failed answering ${method} ${path}: ${describeError(error)}`,
  );
}

function splitTarget(target: string): [string, URLSearchParams] {
  const q = target.indexOf('?');
  if (q === -1) return [target, new URLSearchParams()];
  return [target.slice(0, q), new URLSearchParams(target.slice(q + 1))];
}

function remoteOf(socket: Socket): string {
  if (socket.remoteAddress === undefined) return 'unknown';
  return hostPort(socket.remoteAddress, socket.remotePort ?? 0);
}
