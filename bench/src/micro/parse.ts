/** Parse micro-benchmarks: a typical REGISTER, OPTIONS and INVITE, and the fields the hot path reads. */
import { headerValue, parseMessage, type SipMessage } from '@switchyard/plugin-sip';
import { runTasks, type MicroBenchmark, type MicroTask } from './runner';
import { INVITE, OPTIONS, registerBytes } from './sip-messages';

const REGISTER = registerBytes();

function parsed(bytes: Buffer, what: string): SipMessage {
  const result = parseMessage(bytes);
  if (!result.ok) throw new Error(`the ${what} fixture does not parse: ${result.error.message}`);
  return result.message;
}

/** Parses, then reads what the registrar and response builder read (so a lazy parser is not flattered). */
function parseAndRead(bytes: Buffer): unknown {
  const result = parseMessage(bytes);
  if (!result.ok) throw new Error(result.error.message);
  const m = result.message;
  return [headerValue(m, 'Via'), headerValue(m, 'From'), headerValue(m, 'To'), headerValue(m, 'Call-ID'), headerValue(m, 'CSeq'), headerValue(m, 'Contact')];
}

function tasks(): MicroTask[] {
  parsed(REGISTER, 'REGISTER');
  parsed(OPTIONS, 'OPTIONS');
  parsed(INVITE, 'INVITE');
  return [
    { name: 'REGISTER', fn: () => parseMessage(REGISTER) },
    { name: 'OPTIONS', fn: () => parseMessage(OPTIONS) },
    { name: 'INVITE', fn: () => parseMessage(INVITE) },
    { name: 'REGISTER + header reads', fn: () => parseAndRead(REGISTER) },
  ];
}

export const parseBenchmark: MicroBenchmark = {
  name: 'parse',
  tasks,
  run: (opts) => runTasks('parse', tasks(), opts),
};
