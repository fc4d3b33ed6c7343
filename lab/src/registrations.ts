import fs from 'node:fs';
import path from 'node:path';
import type { FoundRegistration } from './invariants';
import type { Lab } from './lab';
import type { LabPlace } from './topology';

// The built client, from dist and from src alike (tests run the sources, after the build).
const CLIENT = path.join(__dirname, '..', 'dist', 'registrar-client.js');

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
