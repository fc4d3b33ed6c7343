/**
 * A stand-in node for the public-address handover prototype
 * (`public-address-failover`'s `public-address-handover-*` rows): it answers
 * every datagram on the public socket with a 200 carrying its Call-ID, and
 * takes the socket either by binding the port itself (`take-bind`, retried
 * every 2 ms as the SIP plugin does) or from a UDP handle its parent bound
 * once and sends with the message (`take-passed`). No SIP parsing: only the
 * handover mechanism is measured.
 */
import dgram from 'node:dgram';

type Command = { t: 'take-bind'; port: number } | { t: 'take-passed' } | { t: 'release' };

let socket: dgram.Socket | null = null;

function answer(this: dgram.Socket, msg: Buffer, rinfo: dgram.RemoteInfo): void {
  const callId = /Call-ID: ([^\r\n]+)/.exec(msg.toString('latin1'))?.[1] ?? '?';
  this.send(`SIP/2.0 200 OK\r\nCall-ID: ${callId}\r\nContent-Length: 0\r\n\r\n`, rinfo.port, rinfo.address);
}

function bindPort(port: number): void {
  const s = dgram.createSocket('udp4');
  s.once('error', () => {
    s.close();
    setTimeout(() => bindPort(port), 2);
  });
  s.bind(port, '127.0.0.1', () => {
    s.removeAllListeners('error');
    s.on('message', answer);
    socket = s;
    process.send?.({ t: 'taken' });
  });
}

process.on('message', (command: Command, handle: unknown) => {
  if (command.t === 'take-bind') bindPort(command.port);
  else if (command.t === 'take-passed') {
    const s = dgram.createSocket('udp4');
    s.on('message', answer);
    // dgram binds to a UDP handle given in place of a port (how Node's cluster shares sockets).
    (s.bind as (handle: unknown, cb: () => void) => void)(handle, () => {
      socket = s;
      process.send?.({ t: 'taken' });
    });
  } else {
    const s = socket;
    socket = null;
    s?.close();
    process.send?.({ t: 'released' });
  }
});
process.send?.({ t: 'ready' });
