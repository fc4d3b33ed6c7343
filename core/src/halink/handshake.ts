import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { SwitchyardError } from '../errors';
import type { Frame } from './frame';
import { FrameType, peerValue, protocolError, readString } from './protocol';
import { deriveSessionKeys, type SessionKeys, type SessionTranscript } from './session';

/**
 * Mutual HMAC-SHA256 challenge/response over the shared secret; the secret
 * itself never crosses the wire. Each side proves it knows the secret by a
 * MAC over both fresh nonces and both node ids, so nothing can be replayed,
 * and the two MACs carry different role labels so one cannot be reflected
 * back as the other.
 *
 *   acceptor → hello   { nodeId, cluster, nonce }
 *   dialer   → auth    { nodeId, nonce, mac = HMAC("client", …) }
 *   acceptor → welcome { mac = HMAC("server", …) }   (or deny { code, reason })
 *
 * Both sides then derive this connection's frame keys from the secret and
 * both nonces, and seal every later frame (see session.ts). The peer's node
 * id is checked for shape before it is quoted anywhere.
 */

/** Who we are, whom we expect, and the secret we share with it. */
export interface HandshakeIdentity {
  nodeId: string;
  cluster: string;
  peerId: string;
  secret: string;
}

const NONCE_BYTES = 32;
const NONCE_FORMAT = /^[0-9a-f]{64}$/;
const MAC_FORMAT = /^[0-9a-f]{64}$/;
/** As config's nodes[].id; checked before an unauthenticated peer's id goes into any message. */
const NODE_ID_FORMAT = /^[a-z0-9][a-z0-9_-]{0,62}$/i;
/** Cluster names are checked only for length and printability; the log escapes them anyway. */
const CLUSTER_MAX_LENGTH = 128;

export function createNonce(): string {
  return randomBytes(NONCE_BYTES).toString('hex');
}

type Transcript = SessionTranscript;

/** The MAC one side sends; JSON keeps the fields unambiguous. */
export function handshakeMac(secret: string, label: 'client' | 'server', t: Transcript): string {
  return createHmac('sha256', secret)
    .update(JSON.stringify([label, t.cluster, t.serverNonce, t.clientNonce, t.serverId, t.clientId]))
    .digest('hex');
}

function macMatches(expected: string, received: unknown): boolean {
  if (typeof received !== 'string' || !MAC_FORMAT.test(received)) return false;
  return timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(received, 'hex'));
}

function authError(reason: string): SwitchyardError {
  return new SwitchyardError('SWY_ERR_HALINK_AUTH', reason);
}

function expectType(frame: Frame, type: string): void {
  if (frame.t !== type) throw protocolError(`expected a "${type}" frame during the handshake, got "${peerValue(frame.t)}"`);
}

/** The peer's node id, refused unless it has the shape of a configured id: it is about to be quoted in log events. */
function readNodeId(frame: Frame): string {
  const id = readString(frame, 'nodeId');
  if (!NODE_ID_FORMAT.test(id)) throw protocolError(`"${peerValue(frame.t)}" frame with a malformed nodeId (a node id is 1-63 letters, digits, "-" or "_")`);
  return id;
}

function readCluster(frame: Frame): string {
  const cluster = readString(frame, 'cluster');
  if (cluster.length > CLUSTER_MAX_LENGTH) throw protocolError(`"${peerValue(frame.t)}" frame with a cluster name over ${CLUSTER_MAX_LENGTH} characters`);
  return cluster;
}

function readNonce(frame: Frame): string {
  const nonce = readString(frame, 'nonce');
  if (!NONCE_FORMAT.test(nonce)) throw protocolError(`"${peerValue(frame.t)}" frame with a malformed nonce`);
  return nonce;
}

/**
 * The accepting side. `hello()` opens; `accept(auth)` returns the `welcome`
 * to send, or throws `SWY_ERR_HALINK_AUTH` (wrong peer or MAC) /
 * `SWY_ERR_HALINK_PROTOCOL` (not an `auth` frame).
 */
export class ServerHandshake {
  private readonly nonce = createNonce();
  private keys: SessionKeys | undefined;

  constructor(private readonly identity: HandshakeIdentity) {}

  hello(): Frame {
    return { t: FrameType.Hello, nodeId: this.identity.nodeId, cluster: this.identity.cluster, nonce: this.nonce };
  }

  accept(frame: Frame): Frame {
    expectType(frame, FrameType.Auth);
    const { nodeId, cluster, peerId, secret } = this.identity;
    const clientId = readNodeId(frame);
    const clientNonce = readNonce(frame);
    if (clientId !== peerId) throw authError(`the peer says it is node "${clientId}"; the configured peer is "${peerId}"`);
    const transcript: Transcript = { cluster, serverId: nodeId, serverNonce: this.nonce, clientId, clientNonce };
    if (!macMatches(handshakeMac(secret, 'client', transcript), frame.mac)) {
      throw authError('wrong MAC: the peer does not share haLink.secret (or its cluster name differs)');
    }
    this.keys = deriveSessionKeys(secret, transcript, 'server');
    return { t: FrameType.Welcome, mac: handshakeMac(secret, 'server', transcript) };
  }

  /** The frame keys of this connection; only after `accept()` succeeded. */
  sessionKeys(): SessionKeys {
    if (!this.keys) throw protocolError('no session keys before the handshake completed');
    return this.keys;
  }
}

/**
 * The dialing side. `answer(hello)` returns the `auth` to send;
 * `confirm(welcome)` checks the acceptor's proof. Both throw
 * `SWY_ERR_HALINK_AUTH` or `SWY_ERR_HALINK_PROTOCOL`.
 */
export class ClientHandshake {
  private readonly nonce = createNonce();
  private transcript: Transcript | undefined;
  private keys: SessionKeys | undefined;

  constructor(private readonly identity: HandshakeIdentity) {}

  /** True once `hello` was answered; the next frame must be `welcome`. */
  get answered(): boolean {
    return this.transcript !== undefined;
  }

  answer(frame: Frame): Frame {
    expectType(frame, FrameType.Hello);
    if (this.transcript) throw protocolError('a second "hello" frame');
    const { nodeId, cluster, peerId, secret } = this.identity;
    const serverId = readNodeId(frame);
    const serverCluster = readCluster(frame);
    const serverNonce = readNonce(frame);
    if (serverId !== peerId) throw authError(`the peer says it is node "${serverId}"; the configured peer is "${peerId}"`);
    if (serverCluster !== cluster) throw authError(`the peer belongs to cluster "${peerValue(serverCluster)}", not "${cluster}"`);
    this.transcript = { cluster, serverId, serverNonce, clientId: nodeId, clientNonce: this.nonce };
    return { t: FrameType.Auth, nodeId, nonce: this.nonce, mac: handshakeMac(secret, 'client', this.transcript) };
  }

  confirm(frame: Frame): void {
    expectType(frame, FrameType.Welcome);
    if (!this.transcript) throw protocolError('"welcome" before "hello"');
    if (!macMatches(handshakeMac(this.identity.secret, 'server', this.transcript), frame.mac)) {
      throw authError('wrong MAC in "welcome": the peer does not share haLink.secret');
    }
    this.keys = deriveSessionKeys(this.identity.secret, this.transcript, 'client');
  }

  /** The frame keys of this connection; only after `confirm()` succeeded. */
  sessionKeys(): SessionKeys {
    if (!this.keys) throw protocolError('no session keys before the handshake completed');
    return this.keys;
  }
}
