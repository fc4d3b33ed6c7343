/**
 * A reachability probe that needs no tool beyond Node: a TCP connection
 * attempt. An answer of any kind (accepted, or refused with a RST) proves
 * the address is reachable; silence until the timeout, or "no route", that
 * it is not. Port 9 (discard) is closed in the lab, so a reachable peer
 * answers with a refusal at once.
 */
export const PROBE_PORT = 9;

const SCRIPT = `
const [host, port, ms] = process.argv.slice(1);
const socket = require('node:net').connect({ host, port: Number(port) });
const done = (what, code) => { process.stdout.write(what + '\\n'); process.exit(code); };
setTimeout(() => done('timeout', 1), Number(ms));
socket.on('connect', () => done('connected', 0));
socket.on('error', (e) => done(e.code === 'ECONNREFUSED' ? 'refused' : String(e.code), e.code === 'ECONNREFUSED' ? 0 : 1));
`;

/** The argv of one probe of `address` (run inside the namespace to probe from). */
export function probeArgv(address: string, port: number, timeoutMs: number): string[] {
  return [process.execPath, '-e', SCRIPT, address, String(port), String(timeoutMs)];
}
