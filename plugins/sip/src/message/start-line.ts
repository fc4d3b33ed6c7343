/** Request-Line and Status-Line (RFC 3261 §7.1, §7.2). */
import { isToken } from './scan';
import type { SipParseErrorCode } from './types';

export type StartLine =
  | { kind: 'request'; method: string; uri: string }
  | { kind: 'response'; status: number; reason: string };

export type StartLineResult = { ok: true; line: StartLine } | { ok: false; code: SipParseErrorCode; message: string };

const VERSION_RE = /^SIP\/\d+\.\d+$/i;

function fail(code: SipParseErrorCode, message: string): StartLineResult {
  return { ok: false, code, message };
}

function checkVersion(version: string, line: string): StartLineResult | undefined {
  if (!VERSION_RE.test(version)) return fail('SIP_PARSE_START_LINE', `${JSON.stringify(line)} has no SIP-Version`);
  // RFC 3261 §7.1: the version string is case-insensitive.
  if (version.toUpperCase() !== 'SIP/2.0') return fail('SIP_PARSE_VERSION', `${version} is not supported; only SIP/2.0 is`);
  return undefined;
}

function parseStatusLine(line: string): StartLineResult {
  const space = line.indexOf(' ');
  const versionError = checkVersion(space < 0 ? line : line.slice(0, space), line);
  if (versionError) return versionError;
  // Reason-Phrase may be empty; a missing SP before it is tolerated (RFC 4475 noreason keeps it).
  const match = space < 0 ? null : /^(\d{3})(?: ([\s\S]*))?$/.exec(line.slice(space + 1));
  const status = match === null ? NaN : Number(match[1]);
  if (match === null || status < 100 || status > 699) {
    return fail('SIP_PARSE_START_LINE', `${JSON.stringify(line)} is not "SIP/2.0 <100-699> <reason>"`);
  }
  return { ok: true, line: { kind: 'response', status, reason: match[2] ?? '' } };
}

function parseRequestLine(line: string): StartLineResult {
  // Exactly one SP between elements (RFC 4475 lwsstart, trws, lwsruri).
  const parts = line.split(' ');
  if (parts.length !== 3 || parts.some((part) => part === '')) {
    return fail('SIP_PARSE_START_LINE', `${JSON.stringify(line)} is not "METHOD SP Request-URI SP SIP/2.0"`);
  }
  const [method, uri, version] = parts;
  if (!isToken(method)) return fail('SIP_PARSE_START_LINE', `method ${JSON.stringify(method)} is not a token`);
  return checkVersion(version, line) ?? { ok: true, line: { kind: 'request', method, uri } };
}

/** Parses the first line of a message; `SIP/` at the start means a response. */
export function parseStartLine(line: string): StartLineResult {
  return /^SIP\//i.test(line) ? parseStatusLine(line) : parseRequestLine(line);
}
