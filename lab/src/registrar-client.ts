/**
 * A bounded UDP client that asks a registrar for bindings, run inside a lab
 * namespace (the REGISTER load itself is SIPp: see sipp-registrations.ts).
 *
 *   node dist/registrar-client.js query <from> <host:port> <domain> <users-file> <concurrency>
 *     asks for the bindings of each user in the file (one a line) with a
 *     REGISTER without Contact, up to 4 tries of 1 s each:
 *     {"user":…,"status":200,"expires":[3597]} ({"status":0} when nothing answered).
 * Only the target gets traffic; the process ends by itself.
 */
import crypto from 'node:crypto';
import dgram from 'node:dgram';
import { readAnswer } from './sip-answer';
import fs from 'node:fs';

const [mode, from, target, domain, ...rest] = process.argv.slice(2);
if (mode !== 'query' || !from || !target || !domain) {
  process.stderr.write('usage: registrar-client.js query <from> <host:port> <domain> <users-file> <concurrency>\n');
  process.exit(2);
}
const [host, portText] = target.split(':') as [string, string];
const port = Number(portText);
const socket = dgram.createSocket('udp4');
interface Pending {
  user: string;
  onAnswer: (status: number, expires: number[]) => void;
}
const pending = new Map<string, Pending>();
let seq = 0;

socket.on('message', (buf: Buffer) => {
  const answer = readAnswer(buf);
  if (!answer || answer.status < 200) return;
  const { status: code, callId, text } = answer;
  const p = pending.get(callId);
  if (!p) return;
  pending.delete(callId);
  const expires: number[] = [];
  for (const line of text.split('\r\n')) {
    if (!/^(?:Contact|m)\s*:/i.test(line)) continue;
    for (const m of line.matchAll(/;\s*expires\s*=\s*(\d+)/gi)) expires.push(Number(m[1]));
  }
  p.onAnswer(code, expires);
});
socket.on('error', () => undefined);

function send(user: string, onAnswer: Pending['onAnswer']): string {
  const callId = `${crypto.randomBytes(6).toString('hex')}-${seq++}`;
  pending.set(callId, { user, onAnswer });
  const { port: local } = socket.address();
  const lines = [
    `REGISTER sip:${domain} SIP/2.0`,
    `Via: SIP/2.0/UDP ${from}:${local};branch=z9hG4bK${callId};rport`,
    'Max-Forwards: 70',
    `From: <sip:${user}@${domain}>;tag=${seq}`,
    `To: <sip:${user}@${domain}>`,
    `Call-ID: ${callId}`,
    'CSeq: 1 REGISTER',
    'Content-Length: 0',
  ];
  socket.send(`${lines.join('\r\n')}\r\n\r\n`, port, host, () => undefined);
  return callId;
}

const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);

function query(usersFile: string, concurrency: number): void {
  const users = fs.readFileSync(usersFile, 'utf8').split('\n').filter((u) => u !== '');
  let index = 0;
  let active = 0;
  const startOne = (user: string, tries: number): void => {
    active++;
    const callId = send(user, (status, expires) => {
      clearTimeout(timeout);
      active--;
      print({ user, status, expires });
      pump();
    });
    const timeout = setTimeout(() => {
      if (!pending.delete(callId)) return;
      active--;
      if (tries < 4) startOne(user, tries + 1);
      else {
        print({ user, status: 0, expires: [] });
        pump();
      }
    }, 1_000);
  };
  const pump = (): void => {
    while (active < concurrency && index < users.length) startOne(users[index++]!, 1);
    if (active === 0 && index >= users.length) socket.close();
  };
  pump();
}

socket.bind(0, from, () => {
  const [usersFile, concurrency] = rest;
  query(usersFile!, Number(concurrency ?? 50));
});
