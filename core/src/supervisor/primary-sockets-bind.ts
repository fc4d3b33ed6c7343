import net from 'node:net';
import util from 'node:util';

/** A raw libuv handle, as Node's own dgram, net and cluster modules hold them. */
export interface RawHandle {
  close(): void;
}

/** The bound (not listening, never read) UDP and TCP sockets of one primary socket. */
export interface BoundPrimarySocket {
  name: string;
  host: string;
  port: number;
  udp: RawHandle;
  tcp: RawHandle;
}

interface UdpWrap extends RawHandle {
  bind(address: string, port: number, flags: number): number;
  bind6(address: string, port: number, flags: number): number;
}
interface TcpWrap extends RawHandle {
  bind(address: string, port: number): number;
  bind6(address: string, port: number, flags: number): number;
}
interface Bindings {
  udp: { UDP: new () => UdpWrap };
  tcp: { TCP: new (type: number) => TcpWrap; constants: { SERVER: number } };
}

function bindings(): Bindings {
  // The handle classes behind dgram and net: a socket bound here is only ever read by the node it is sent to.
  const binding = (process as unknown as { binding(name: string): unknown }).binding;
  return { udp: binding('udp_wrap') as Bindings['udp'], tcp: binding('tcp_wrap') as Bindings['tcp'] };
}

/** Thrown (as the `cause` of the agent's event) when a primary socket cannot be bound. */
export class PrimarySocketBindError extends Error {
  constructor(
    readonly transport: 'udp' | 'tcp',
    readonly errno: string,
  ) {
    super(`${transport} bind failed (${errno})`);
  }
}

/**
 * Binds one primary socket in the agent: a UDP socket and a TCP socket on
 * `host:port`, bound but not listening, and never read here. The primary
 * it is sent to reads the UDP socket and makes the TCP one listen; when it
 * closes its copies the sockets stay open in the agent, so requests wait
 * in them until the next primary reads them.
 */
export function bindPrimarySocket(spec: { name: string; host: string; port: number }): BoundPrimarySocket {
  const { udp: udpBinding, tcp: tcpBinding } = bindings();
  const v6 = net.isIPv6(spec.host);
  const udp = new udpBinding.UDP();
  const udpError = v6 ? udp.bind6(spec.host, spec.port, 0) : udp.bind(spec.host, spec.port, 0);
  if (udpError !== 0) {
    udp.close();
    throw new PrimarySocketBindError('udp', util.getSystemErrorName(udpError));
  }
  const tcp = new tcpBinding.TCP(tcpBinding.constants.SERVER);
  const tcpError = v6 ? tcp.bind6(spec.host, spec.port, 0) : tcp.bind(spec.host, spec.port);
  if (tcpError !== 0) {
    udp.close();
    tcp.close();
    throw new PrimarySocketBindError('tcp', util.getSystemErrorName(tcpError));
  }
  return { ...spec, udp, tcp };
}
