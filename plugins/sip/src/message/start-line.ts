/** Request-Line and Status-Line (RFC 3261 §7.1, §7.2). */
import { isDigits } from './charset';
import { isToken } from './scan';
import type { SipParseErrorCode } from './types';

export type StartLine =
  | { kind: 'request'; method: string; uri: string }
  | { kind: 'response'; status: number; reason: string };

export type StartLineResult = { ok: true; line: StartLine } | { ok: false; code: SipParseErrorCode; message: string };

/** `SIP/` in any case at the start of `text`. */
function startsWithSip(text: string): boolean {
  return text.length >= 4 && (text.charCodeAt(0) | 0x20) === 0x73 && (text.charCodeAt(1) | 0x20) === 0x69 && (text.charCodeAt(2) | 0x20) === 0x70 && text.charCodeAt(3) === 0x2f;
}

/** `SIP/1*DIGIT.1*DIGIT`, case-insensitive. */
function isSipVersion(text: string): boolean {
  if (!startsWithSip(text)) return false;
  const dot = text.indexOf('.', 4);
  return dot > 4 && isDigits(text.slice(4, dot)) && isDigits(text.slice(dot + 1));
}

function fail(code: SipParseErrorCode, message: string): StartLineResult {
  return { ok: false, code, message };
}

function checkVersion(version: string, line: string): StartLineResult | undefined {
  if (!isSipVersion(version)) return fail('SIP_PARSE_START_LINE', `${JSON.stringify(line)} has no SIP-Version`);
  // RFC 3261 §7.1: the version string is case-insensitive.
  if (version.toUpperCase() !== 'SIP/2.0') return fail('SIP_PARSE_VERSION', `${version} is not supported; only SIP/2.0 is`);
  return undefined;
}

function parseStatusLine(line: string): StartLineResult {
  const space = line.indexOf(' ');
  const versionError = checkVersion(space < 0 ? line : line.slice(0, space), line);
  if (versionError) return versionError;
  // Reason-Phrase may be empty; a missing SP before it is tolerated (RFC 4475 noreason keeps it).
  // `3DIGIT [SP reason]`.
  const rest = space < 0 ? '' : line.slice(space + 1);
  const code = rest.slice(0, 3);
  const wellFormed = space >= 0 && isDigits(code) && code.length === 3 && (rest.length === 3 || rest.charCodeAt(3) === 0x20);
  const status = wellFormed ? Number(code) : NaN;
  if (!wellFormed || status < 100 || status > 699) {
    return fail('SIP_PARSE_START_LINE', `${JSON.stringify(line)} is not "SIP/2.0 <100-699> <reason>"`);
  }
  return { ok: true, line: { kind: 'response', status, reason: rest.slice(4) } };
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
  return startsWithSip(line) ? parseStatusLine(line) : parseRequestLine(line);
}
