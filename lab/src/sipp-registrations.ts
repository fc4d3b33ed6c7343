import fs from 'node:fs';
import path from 'node:path';
import { LabError } from './errors';
import type { AckedRegistration } from './invariants';
import type { Lab } from './lab';
import type { LabProcess } from './processes';
import { RegisterTally, type RegisterCounts } from './sipp-register-log';
import { requireTool } from './tools';
import type { LabPlace } from './topology';

/** The SIPp scenario of the load (shipped in this package). */
export const REGISTER_LOAD_SCENARIO = path.join(__dirname, '..', 'scenarios', 'register-load.xml');

/** How often SIPp's log file is read while it runs. */
const TAIL_INTERVAL_MS = 100;
/** After SIGUSR1, SIPp lets the REGISTERs in progress end (each within 4 s) and exits: this long at most before SIGKILL. */
const STOP_TIMEOUT_MS = 15_000;

/** A running REGISTER load and what it has seen so far. */
export interface RegisterLoad {
  /** The latest 200 of each user (a refresh replaces the entry). */
  acked: Map<string, AckedRegistration>;
  /** 200s, final answers other than 200, and REGISTERs that got no final answer in 4 s. */
  counts: RegisterCounts;
  /** SIPp. */
  proc: LabProcess;
  /**
   * Stops the load cleanly: SIPp starts no new REGISTER, lets those in
   * progress end and exits (SIGKILL if it has not after 15 s); resolves once
   * its whole log is read. `acked` and `counts` are final then.
   */
  stop(): Promise<void>;
}

/** Options of {@link startSippRegisterLoad}. */
export interface SippRegisterLoadOptions {
  /** The address SIPp sends from (in `where`). */
  from: string;
  /** `host:port`, e.g. the VIP's. */
  target: string;
  /** The domain of the users' addresses of record and of the Request-URI. */
  domain: string;
  /** REGISTERs a second. */
  rate: number;
  /** SIPp stops by itself after this. */
  seconds: number;
  /** Users are `<prefix><n>`. */
  prefix: string;
  /** The expiry each REGISTER asks for (s). */
  expires: number;
  /** Where SIPp's users file, log, error log and output go (the caller removes it). */
  dir: string;
}

/**
 * The users of each call, in call order: a new user `<prefix><n>`, and on
 * every fifth call an earlier one again (a refresh), picked by a
 * multiplicative hash of the call number so old and recent users alike get
 * refreshed, the same way each run.
 */
export function registerLoadUsers(prefix: string, calls: number): string[] {
  const users: string[] = [];
  let next = 1;
  for (let call = 1; call <= calls; call++) {
    if (call % 5 === 0) users.push(`${prefix}${1 + ((Math.imul(call, 2654435761) >>> 0) % (next - 1))}`);
    else users.push(`${prefix}${next++}`);
  }
  return users;
}

/**
 * Starts SIPp in `where` with the REGISTER load scenario
 * (scenarios/register-load.xml): from `from` to `target` over UDP,
 * `rate` REGISTERs a second for at most `seconds`, a new user each but
 * every fifth, which refreshes an earlier one. Each 200 is recorded with
 * its arrival time and the expiry it granted, read from SIPp's `<log>`
 * lines as SIPp writes them (it flushes each).
 */
export function startSippRegisterLoad(lab: Lab, where: LabPlace, opts: SippRegisterLoadOptions): RegisterLoad {
  const sipp = requireTool('sipp');
  const calls = Math.max(1, Math.ceil(opts.rate * opts.seconds));
  const usersFile = path.join(opts.dir, 'register-load-users.csv');
  const logFile = path.join(opts.dir, 'register-load.log');
  fs.writeFileSync(usersFile, `SEQUENTIAL\n${registerLoadUsers(opts.prefix, calls).map((u) => `${u};\n`).join('')}`);
  // Created here, appended to by SIPp (-log_overwrite false): the tail below can open it before SIPp runs.
  fs.writeFileSync(logFile, '');
  const tally = new RegisterTally(opts.expires);
  // SIPp's own bounds: -m calls, -timeout; -l caps the calls open at once (4 s each at most).
  const argv = [
    sipp, '-sf', REGISTER_LOAD_SCENARIO, '-inf', usersFile,
    '-key', 'domain', opts.domain, '-key', 'expires', String(opts.expires),
    '-t', 'u1', '-i', opts.from, '-p', '0', '-r', String(opts.rate), '-rp', '1000', '-m', String(calls),
    '-l', String(Math.max(10, Math.ceil(opts.rate * 10))), '-timeout', `${Math.ceil(opts.seconds)}s`, '-nostdin',
    '-trace_logs', '-log_file', logFile, '-log_overwrite', 'false',
    '-trace_err', '-error_file', path.join(opts.dir, 'register-load-errors.log'),
    opts.target,
  ];
  // cwd: whatever else SIPp may write (a screen dump on SIGUSR2) lands beside its log.
  const proc = lab.spawn(where, argv, { cwd: opts.dir, logFile: path.join(opts.dir, 'register-load.out'), label: `sipp register load in ${where}` });

  const fd = fs.openSync(logFile, 'r');
  let offset = 0;
  let rest = '';
  const read = () => {
    const chunk = Buffer.alloc(64 * 1024);
    for (;;) {
      const n = fs.readSync(fd, chunk, 0, chunk.length, offset);
      if (n === 0) break;
      offset += n;
      const lines = (rest + chunk.toString('utf8', 0, n)).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) tally.addLine(line);
    }
  };
  // A failed read is kept for stop() to throw: the counts would be short.
  let readError: unknown;
  const timer = setInterval(() => {
    try {
      read();
    } catch (error) {
      readError ??= error;
      clearInterval(timer);
    }
  }, TAIL_INTERVAL_MS);
  const finished = proc.exited
    .then(() => {
      clearInterval(timer);
      try {
        if (readError === undefined) {
          read();
          if (rest !== '') tally.addLine(rest);
          tally.closeUnfinished();
        }
      } finally {
        fs.closeSync(fd);
      }
    })
    .catch((error: unknown) => {
      readError ??= error;
    });

  const stop = async () => {
    proc.kill('SIGUSR1');
    let timeout: NodeJS.Timeout | undefined;
    const killed = new Promise<void>((resolve) => {
      timeout = setTimeout(() => {
        proc.kill('SIGKILL');
        resolve();
      }, STOP_TIMEOUT_MS);
    });
    await Promise.race([proc.exited, killed]);
    clearTimeout(timeout);
    await finished;
    if (readError !== undefined) throw new LabError('SWY_ERR_LAB_COMMAND_FAILED', `the REGISTER load's SIPp log ${logFile} could not be read to the end: its counts are short`, { cause: readError });
  };
  return { acked: tally.acked, counts: tally.counts, proc, stop };
}
