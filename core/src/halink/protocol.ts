import { NODE_STATUSES, type NodeStatus, type Role } from '../engine/types';
import { SwitchyardError } from '../errors';
import type { Frame } from './frame';

/**
 * Frame types of the HA link. Handshake: `hello` (acceptor) → `auth`
 * (dialer) → `welcome` (acceptor), or `deny` instead of `welcome`. After it:
 * `hb` both ways, and the channel frames `sync`, `catchup` and `msg`.
 */
export const FrameType = {
  Hello: 'hello',
  Auth: 'auth',
  Welcome: 'welcome',
  Deny: 'deny',
  Heartbeat: 'hb',
  Sync: 'sync',
  CatchUp: 'catchup',
  Message: 'msg',
} as const;

/** Characters of a peer-chosen value (a frame type, a channel name) quoted in an error; the log escapes them. */
const QUOTE_MAX = 64;

/** A peer-chosen value, cut short for quoting in an error message. */
export function peerValue(value: string): string {
  return value.length <= QUOTE_MAX ? value : `${value.slice(0, QUOTE_MAX)}…`;
}

/** The error for a peer that broke the protocol; the connection is dropped. */
export function protocolError(reason: string): SwitchyardError {
  return new SwitchyardError('SWY_ERR_HALINK_PROTOCOL', reason);
}

export function readString(frame: Frame, key: string): string {
  const value = frame[key];
  if (typeof value !== 'string') throw protocolError(`"${peerValue(frame.t)}" frame without a string "${key}"`);
  return value;
}

export function readOptionalString(frame: Frame, key: string): string | null {
  const value = frame[key];
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') throw protocolError(`"${peerValue(frame.t)}" frame with a non-string "${key}"`);
  return value;
}

/** A sequence number or term: a safe integer ≥ `min`. */
export function readCount(frame: Frame, key: string, min = 0): number {
  const value = frame[key];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw protocolError(`"${peerValue(frame.t)}" frame with "${key}" not an integer ≥ ${min}`);
  }
  return value;
}

export function readOneOf<T extends string>(frame: Frame, key: string, allowed: readonly T[]): T {
  const value = frame[key];
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw protocolError(`"${peerValue(frame.t)}" frame with "${key}" not one of ${allowed.join(', ')}`);
  }
  return value as T;
}

const ROLES: readonly Role[] = ['primary', 'backup'];

/** What a heartbeat carries. */
export interface HeartbeatState {
  role: Role;
  status: NodeStatus;
  term: number;
}

/**
 * A heartbeat's timing: `sent` is the sender's CLOCK_MONOTONIC (whole ms)
 * when it made the frame; `echo` the latest `sent` it had received from
 * this peer on this connection. A peer that echoes a time has heard from
 * this node at or after that time (see HaLink.echoedSent). Both absent from
 * a peer of an older version.
 */
export interface HeartbeatTiming {
  sent: number | null;
  echo: number | null;
}

export function readHeartbeat(frame: Frame): HeartbeatState & HeartbeatTiming {
  return {
    role: readOneOf(frame, 'role', ROLES),
    status: readOneOf(frame, 'status', NODE_STATUSES),
    term: readCount(frame, 'term'),
    sent: readOptionalCount(frame, 'sent'),
    echo: readOptionalCount(frame, 'echo'),
  };
}

function readOptionalCount(frame: Frame, key: string): number | null {
  return frame[key] === undefined || frame[key] === null ? null : readCount(frame, key);
}
