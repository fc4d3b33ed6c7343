/**
 * The management API's route table: method, path pattern, whether the bearer
 * token is required, and a handler. Adding an endpoint (e.g.
 * `POST /alarms/:id/clear`) is one more entry; the server does the HTTP.
 */
import type { ErrorCode } from '../errors';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** What a handler sees of a request. */
export interface ManagementRequest {
  method: HttpMethod;
  /** The path without the query string, e.g. `/alarms/42/clear`. */
  path: string;
  /** `:name` segments of the route's pattern, URI-decoded. */
  params: Readonly<Record<string, string>>;
  query: URLSearchParams;
  /** The parsed JSON body; `undefined` when the request had none. */
  body: unknown;
  /** `address:port` of the peer, for logs. */
  remote: string;
}

/** What a handler answers; `body` is sent as JSON unless `raw` or `stream` is set. */
export interface ManagementResponse {
  status: number;
  body: unknown;
  headers?: Readonly<Record<string, string>>;
  /** A non-JSON answer (the console's files, the Prometheus text format), sent as is. */
  raw?: { contentType: string; text: string };
  /**
   * A long-lived answer (server-sent events): the server writes the headers,
   * then hands over a writer; `close` runs when the client goes away or the
   * server stops.
   */
  stream?: (writer: { write(chunk: string): boolean; onClose(listener: () => void): void }) => void;
}

export interface ManagementRoute {
  method: HttpMethod;
  /** Literal segments and `:name` captures, e.g. `/status`, `/alarms/:id/clear`. */
  path: string;
  /** State-changing routes require `Authorization: Bearer <token>`; reads do not. */
  requiresToken: boolean;
  /**
   * Served without the token even off loopback: only for files with no data
   * of the pair in them (the console's HTML, script and style sheet), which
   * then ask the operator for the token to read the API.
   */
  public?: boolean;
  handler(request: ManagementRequest): Promise<ManagementResponse> | ManagementResponse;
}

/** The JSON shape of every error answer: `{ error: { code, message } }`. */
export interface ManagementErrorBody {
  error: { code: ErrorCode; message: string };
}

/** An error answer in the API's one error shape. */
export function errorResponse(
  status: number,
  code: ErrorCode,
  message: string,
  headers?: Readonly<Record<string, string>>,
): ManagementResponse {
  const body: ManagementErrorBody = { error: { code, message } };
  return headers === undefined ? { status, body } : { status, body, headers };
}

export type RouteMatch =
  | { kind: 'found'; route: ManagementRoute; params: Record<string, string> }
  | { kind: 'method-not-allowed'; allow: HttpMethod[] }
  | { kind: 'not-found' }
  /** A `%` escape in a captured segment did not decode. */
  | { kind: 'bad-path' };

interface CompiledRoute {
  route: ManagementRoute;
  segments: readonly string[];
}

export class RouteTable {
  private readonly compiled: CompiledRoute[];

  /** First match wins, so list more specific patterns first if two overlap. */
  constructor(routes: readonly ManagementRoute[]) {
    this.compiled = routes.map((route) => ({ route, segments: splitPath(route.path) }));
  }

  match(method: string, path: string): RouteMatch {
    const segments = splitPath(path);
    const allow: HttpMethod[] = [];
    for (const { route, segments: pattern } of this.compiled) {
      const captured = matchSegments(pattern, segments);
      if (captured === undefined) continue;
      if (route.method !== method) {
        if (!allow.includes(route.method)) allow.push(route.method);
        continue;
      }
      const params: Record<string, string> = {};
      for (const [name, raw] of Object.entries(captured)) {
        try {
          params[name] = decodeURIComponent(raw);
        } catch {
          return { kind: 'bad-path' };
        }
      }
      return { kind: 'found', route, params };
    }
    return allow.length > 0 ? { kind: 'method-not-allowed', allow } : { kind: 'not-found' };
  }
}

function splitPath(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '');
}

function matchSegments(pattern: readonly string[], segments: readonly string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const captured: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const expected = pattern[i]!;
    const actual = segments[i]!;
    if (expected.startsWith(':')) captured[expected.slice(1)] = actual;
    else if (expected !== actual) return undefined;
  }
  return captured;
}
