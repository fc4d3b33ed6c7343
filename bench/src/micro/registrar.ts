/**
 * Registrar micro-benchmarks: a REGISTER refreshing one binding of an
 * address-of-record that holds 1 or 10 contacts — the registrar alone, and
 * the whole answer path (parse, route, measure, build, serialise) — and an
 * OPTIONS answered the same way. The cost with 10 stored contacts should be
 * close to the cost with 1.
 */
import { ManualClock } from '@switchyard/sdk';
import { parseMessage, type SipRequest } from '@switchyard/plugin-sip';
import { runTasks, type MicroBenchmark, type MicroTask } from './runner';
import { sipInternals, type BenchRegistrar, type BenchRemote } from './sip-internals';
import { OPTIONS, registerBytes } from './sip-messages';

const REMOTE: BenchRemote = { address: '192.0.2.10', port: 5062, transport: 'udp' };

function request(bytes: Buffer): SipRequest {
  const result = parseMessage(bytes);
  if (!result.ok || result.message.kind !== 'request') throw new Error('a registrar fixture does not parse');
  return result.message;
}

/** A registrar whose AOR `alice` holds `stored` contacts; REGISTERs then refresh the first one. */
function registrarWith(stored: number): BenchRegistrar {
  const { ContactStore, Registrar } = sipInternals();
  const clock = new ManualClock();
  const registrar = new Registrar({ store: new ContactStore(clock), clock, maxContactsPerAor: Math.max(10, stored) });
  for (let i = 0; i < stored; i++) {
    const outcome = registrar.handle(request(registerBytes({ contact: `sip:alice@192.0.2.${10 + i}:5062;transport=udp`, callId: `setup-${i}` })), REMOTE);
    if (outcome.status !== 200) throw new Error(`setting up contact ${i} answered ${outcome.status}`);
  }
  return registrar;
}

/**
 * Two REGISTERs for the first contact with different Call-IDs: alternating
 * them refreshes the binding every time (a CSeq that never grows would be
 * refused as out of order after the first round).
 */
function alternating<T>(make: (callId: string) => T): () => T {
  const pair = [make('bench-a@192.0.2.10'), make('bench-b@192.0.2.10')];
  let n = 0;
  return () => pair[n++ & 1]!;
}

function check(status: number, what: string): void {
  if (status !== 200) throw new Error(`${what} answered ${status}, not 200`);
}

function handleTask(stored: number): MicroTask {
  const registrar = registrarWith(stored);
  const next = alternating((callId) => request(registerBytes({ callId })));
  for (let i = 0; i < 2; i++) check(registrar.handle(next(), REMOTE).status, `REGISTER with ${stored} stored`);
  return { name: `handle, ${stored} stored`, fn: () => registrar.handle(next(), REMOTE) };
}

/** Bytes in, bytes out: what the service does for one UDP request, less the socket. */
function answer(registrar: BenchRegistrar, bytes: Buffer): Buffer {
  const { AnswerBudget, buildResponse, responseTarget, routeRequest, serializeMessage } = sipInternals();
  const result = parseMessage(bytes);
  if (!result.ok || result.message.kind !== 'request') throw new Error('unparsable');
  const req = result.message;
  const decision = routeRequest(req, registrar, REMOTE, AnswerBudget.for(req, REMOTE));
  const response = buildResponse(req, decision.status, decision.reason, { remote: REMOTE, headers: decision.headers });
  responseTarget(response, REMOTE);
  return serializeMessage(response);
}

const statusOf = (wire: Buffer): number => Number(wire.subarray(8, 11).toString());

function fullTask(stored: number): MicroTask {
  const registrar = registrarWith(stored);
  const next = alternating((callId) => registerBytes({ callId }));
  for (let i = 0; i < 2; i++) check(statusOf(answer(registrar, next())), `REGISTER with ${stored} stored`);
  return { name: `parse→answer, ${stored} stored`, fn: () => answer(registrar, next()) };
}

function optionsTask(): MicroTask {
  const registrar = registrarWith(0);
  check(statusOf(answer(registrar, OPTIONS)), 'OPTIONS');
  return { name: 'OPTIONS parse→answer', fn: () => answer(registrar, OPTIONS) };
}

const tasks = (): MicroTask[] => [handleTask(1), handleTask(10), fullTask(1), fullTask(10), optionsTask()];

export const registrarBenchmark: MicroBenchmark = {
  name: 'registrar',
  tasks,
  run: (opts) => runTasks('registrar', tasks(), opts),
};
