import fs from 'node:fs';
import path from 'node:path';
import type { AckedRegistration, FoundRegistration } from './invariants';
import type { Lab } from './lab';
import type { LabProcess } from './processes';
import type { LabPlace } from './topology';

const CLIENT = path.join(__dirname, 'registrar-client.js');

/** A running REGISTER load and what it has seen so far. */
export interface RegisterLoad {
  /** The latest 200 of each user (a refresh replaces the entry). */
  acked: Map<string, AckedRegistration>;
  /** Final answers other than 200, and REGISTERs that got no answer in 4 s. */
  counts: { acked: number; rejected: number; timedOut: number };
  proc: LabProcess;
}

/**
 * Starts the lab's REGISTER client in `where`: from `from` to `target`
 * (`host:port`, e.g. the VIP), a new user `<prefix><n>@<domain>` every
 * `1 / rate` s and a refresh of an earlier one every fifth, for at most
 * `seconds`. Kill `proc` to stop it sooner.
 */
export function startRegisterLoad(
  lab: Lab,
  where: LabPlace,
  opts: { from: string; target: string; domain: string; rate: number; seconds: number; prefix: string; expires: number },
): RegisterLoad {
  const acked = new Map<string, AckedRegistration>();
  const counts = { acked: 0, rejected: 0, timedOut: 0 };
  const argv = [process.execPath, CLIENT, 'register', opts.from, opts.target, opts.domain, String(opts.rate), String(opts.seconds), opts.prefix, String(opts.expires)];
  const proc = lab.spawn(where, argv, {
    label: `register load in ${where}`,
    onLine: (line, stream) => {
      if (stream !== 'stdout') return;
      let r: { kind: string; user: string; at?: number; expires?: number };
      try {
        r = JSON.parse(line) as typeof r;
      } catch {
        return;
      }
      if (r.kind === 'ack') {
        counts.acked++;
        acked.set(r.user, { user: r.user, at: r.at!, expires: r.expires! });
      } else if (r.kind === 'nack') counts.rejected++;
      else if (r.kind === 'timeout') counts.timedOut++;
    },
  });
  return { acked, counts, proc };
}

/**
 * Asks `target` for the bindings of each user (a REGISTER without Contact,
 * up to 4 tries of 1 s), `concurrency` at a time, from `where`. Bounded by
 * `timeoutMs`. The users go through a file in `dir`.
 */
export async function queryRegistrations(
  lab: Lab,
  where: LabPlace,
  opts: { from: string; target: string; domain: string; users: readonly string[]; dir: string; concurrency?: number; timeoutMs?: number },
): Promise<Map<string, FoundRegistration>> {
  const file = path.join(opts.dir, `query-users-${process.pid}-${Date.now()}.txt`);
  fs.writeFileSync(file, `${opts.users.join('\n')}\n`);
  try {
    const r = await lab.run(where, [process.execPath, CLIENT, 'query', opts.from, opts.target, opts.domain, file, String(opts.concurrency ?? 50)], {
      timeoutMs: opts.timeoutMs ?? 120_000,
    });
    const found = new Map<string, FoundRegistration>();
    for (const line of r.stdout.split('\n')) {
      try {
        const f = JSON.parse(line) as FoundRegistration;
        if (typeof f.user === 'string') found.set(f.user, f);
      } catch {
        /* not a result line */
      }
    }
    return found;
  } finally {
    fs.rmSync(file, { force: true });
  }
}
