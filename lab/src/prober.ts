/**
 * A bounded SIP OPTIONS prober, run inside a lab namespace:
 *   node dist/prober.js <from-address> <interval-ms> <duration-s> <host:port> [<host:port> ...]
 * Every interval it sends one OPTIONS (UDP) to each target and prints one
 * JSON line per answer: {"at": epoch ms, "sentAt": epoch ms, "target": "host:port", "status": 200}
 * (`sentAt`: when its request was sent; a fault check tells an answer that
 * was in flight when its node froze from one it gave after it thawed).
 * It stops by itself after the duration; only the given targets get traffic.
 */
import crypto from 'node:crypto';
import dgram from 'node:dgram';
import { readAnswer } from './sip-answer';

const [from, intervalArg, durationArg, ...targets] = process.argv.slice(2);
const interval = Number(intervalArg);
const duration = Number(durationArg) * 1000;
if (!from || !(interval > 0) || !(duration > 0) || targets.length === 0) {
  process.stderr.write('usage: prober.js <from-address> <interval-ms> <duration-s> <host:port>...\n');
  process.exit(2);
}
const socket = dgram.createSocket('udp4');
const pending = new Map<string, { target: string; sentAt: number }>();
let seq = 0;
socket.on('message', (buf: Buffer) => {
  const answer = readAnswer(buf);
  if (!answer) return;
  const sent = pending.get(answer.callId);
  if (sent === undefined) return;
  pending.delete(answer.callId);
  process.stdout.write(`${JSON.stringify({ at: Date.now(), sentAt: sent.sentAt, target: sent.target, status: answer.status })}\n`);
});
socket.on('error', () => undefined);
socket.bind(0, from, () => {
  const { port } = socket.address();
  const started = Date.now();
  const timer = setInterval(() => {
    if (Date.now() - started > duration) {
      clearInterval(timer);
      socket.close();
      return;
    }
    for (const target of targets) {
      const [host, p] = target.split(':') as [string, string];
      const callId = `${crypto.randomBytes(6).toString('hex')}-${seq++}`;
      pending.set(callId, { target, sentAt: Date.now() });
      if (pending.size > 10000) pending.delete(pending.keys().next().value as string);
      const msg =
        `OPTIONS sip:probe@${host}:${p} SIP/2.0\r\n` +
        `Via: SIP/2.0/UDP ${from}:${port};branch=z9hG4bK${callId};rport\r\n` +
        `Max-Forwards: 70\r\nFrom: <sip:prober@${from}>;tag=${seq}\r\nTo: <sip:probe@${host}>\r\n` +
        `Call-ID: ${callId}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`;
      socket.send(msg, Number(p), host, () => undefined);
    }
  }, interval);
});
