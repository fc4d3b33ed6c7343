/**
 * The SIP answerer behind keepalived's VIP in the vip-failover benchmark, run
 * inside a lab host namespace:
 *   node dist/sip-responder.js [<port>]
 * Bound to 0.0.0.0:<port> (default 5060, UDP), it answers every OPTIONS with
 * a 200 that copies Via, From, To, Call-ID and CSeq; anything else is
 * ignored. It does nothing else: a stand-in for a SIP server that keepalived
 * does not know about, as in a usual keepalived setup.
 */
import dgram from 'node:dgram';

const port = Number(process.argv[2] ?? 5060);
const COPIED = /^(?:Via|v|From|f|To|t|Call-ID|i|CSeq):/i;

const socket = dgram.createSocket('udp4');
socket.on('message', (buf, remote) => {
  const lines = buf.toString('latin1').split('\r\n');
  if (!lines[0]?.startsWith('OPTIONS ')) return;
  const headers = lines.slice(1).filter((l) => COPIED.test(l));
  const answer = `SIP/2.0 200 OK\r\n${headers.join('\r\n')}\r\nContent-Length: 0\r\n\r\n`;
  socket.send(answer, remote.port, remote.address, () => undefined);
});
socket.on('error', (error) => {
  process.stderr.write(`sip-responder: ${error.message}\n`);
  process.exit(1);
});
socket.bind(port, '0.0.0.0', () => process.stdout.write(`sip-responder listening on 0.0.0.0:${port}\n`));
