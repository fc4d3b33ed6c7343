import path from 'node:path';
import type { Lab } from './lab';
import type { Probe, ProbeAnswer } from './probe';

const PROBER = path.join(__dirname, 'send-time-prober.js');

/** An answer with the time its request was sent. */
export interface SentProbeAnswer extends ProbeAnswer {
  sentAt: number;
}

/** A {@link Probe} whose answers carry their request's send time. */
export interface SendTimeProbe extends Probe {
  answers: SentProbeAnswer[];
}

/**
 * Starts the lab's OPTIONS prober in `where`, as `startProbe` does, with
 * each answer's request send time (`sentAt`): needed to tell an answer that
 * was in flight when its node froze from one it gave after it thawed.
 */
export function startSendTimeProbe(lab: Lab, where: 'client' | 'h1' | 'h2', from: string, targets: readonly string[], intervalMs: number, seconds: number): SendTimeProbe {
  const answers: SentProbeAnswer[] = [];
  const proc = lab.spawn(where, [process.execPath, PROBER, from, String(intervalMs), String(seconds), ...targets], {
    label: `prober in ${where}`,
    onLine: (line, stream) => {
      if (stream !== 'stdout') return;
      try {
        answers.push(JSON.parse(line) as SentProbeAnswer);
      } catch {
        /* not a result line */
      }
    },
  });
  return { answers, proc };
}
