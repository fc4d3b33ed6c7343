import path from 'node:path';
import type { Lab } from './lab';
import type { LabProcess } from './processes';

const PROBER = path.join(__dirname, 'prober.js');

/** One answer the OPTIONS prober saw. */
export interface ProbeAnswer {
  at: number;
  /** When its request was sent (epoch ms; the lab's prober always says, recorded data may not). */
  sentAt?: number;
  target: string;
  status: number;
}

export interface Probe {
  /** Filled in live, in arrival order. */
  answers: ProbeAnswer[];
  proc: LabProcess;
}

/**
 * Starts the lab's UDP OPTIONS prober in `where`: from `from`, one OPTIONS
 * to each target every `intervalMs`, for at most `seconds` (it stops by
 * itself; kill `proc` to stop it sooner).
 */
export function startProbe(lab: Lab, where: 'client' | 'h1' | 'h2', from: string, targets: readonly string[], intervalMs: number, seconds: number): Probe {
  const answers: ProbeAnswer[] = [];
  const proc = lab.spawn(where, [process.execPath, PROBER, from, String(intervalMs), String(seconds), ...targets], {
    label: `prober in ${where}`,
    onLine: (line, stream) => {
      if (stream !== 'stdout') return;
      try {
        answers.push(JSON.parse(line) as ProbeAnswer);
      } catch {
        /* not a result line */
      }
    },
  });
  return { answers, proc };
}
