import type { Clock } from '../clock';
import { SwitchyardError, describeError, isSwitchyardError } from '../errors';
import { CoreEvent } from '../events/core-events';
import type { Alarm } from '../engine/types';

/** One thing to run for an alarm change: a configured reaction, or the alarm hook. */
export interface ReactionJob {
  /** The reaction's name (`alarms.reactions.<name>`), or the hook's name. */
  name: string;
  /** The reaction's kind, or `hook`. */
  kind: string;
  run(signal: AbortSignal): Promise<void>;
  /** No "ran" event on success (the hooks: their failures are reported by the engine). */
  quiet?: boolean;
}

export interface ReactionRunnerOptions {
  clock: Clock;
  /** Seconds each job may run before it is aborted. */
  timeout: number;
  emit(eventId: string, fields: Record<string, unknown>): void;
}

/**
 * Runs the jobs of one alarm change in parallel, each under its own timeout
 * with an AbortSignal. A job that fails logs 01-10075, one that outlives its
 * timeout is aborted and logs 01-10076; neither delays the other jobs, and
 * `run` never rejects. A job that ignores the abort is abandoned, not waited
 * for.
 */
export class ReactionRunner {
  constructor(private readonly options: ReactionRunnerOptions) {}

  /**
   * Resolves once every job settled: true when each ran to its end (done,
   * failed or timed out), false when `stop` cut one short (it should run
   * again at the next start).
   */
  async run(jobs: readonly ReactionJob[], alarm: Alarm, change: 'raised' | 'cleared', stop?: AbortSignal): Promise<boolean> {
    const finished = await Promise.all(jobs.map((job) => this.runOne(job, alarm, change, stop)));
    return finished.every(Boolean);
  }

  private runOne(job: ReactionJob, alarm: Alarm, change: 'raised' | 'cleared', stop?: AbortSignal): Promise<boolean> {
    const { clock, timeout, emit } = this.options;
    const fields = { reaction: job.name, kind: job.kind, alarm: alarm.id, change };
    const controller = new AbortController();
    const started = clock.monotonic();
    return new Promise<boolean>((resolve) => {
      let settled = false;
      const finish = (report: () => void, completed = true) => {
        if (settled) return;
        settled = true;
        timer.cancel();
        stop?.removeEventListener('abort', onStop);
        report();
        resolve(completed);
      };
      const onStop = () =>
        finish(() => {
          controller.abort(stop?.reason);
          emit(CoreEvent.AlarmReactionFailed, { ...fields, error: `aborted: ${describeError(stop?.reason ?? 'the supervisor is stopping')}` });
        }, false);
      const timer = clock.setTimeout(
        () =>
          finish(() => {
            controller.abort(
              new SwitchyardError('SWY_ERR_ALARM_REACTION_TIMEOUT', `Alarm reaction ${job.name} did not finish within ${timeout}s.`, {
                details: fields,
              }),
            );
            emit(CoreEvent.AlarmReactionTimedOut, { ...fields, timeout });
          }),
        timeout * 1000,
      );
      if (stop?.aborted) {
        onStop();
        return;
      }
      stop?.addEventListener('abort', onStop, { once: true });
      // A job that throws synchronously is a failure like any other.
      Promise.resolve()
        .then(() => job.run(controller.signal))
        .then(
          () =>
            finish(() => {
              if (!job.quiet) emit(CoreEvent.AlarmReactionRan, { ...fields, ms: Math.round(clock.monotonic() - started) });
            }),
          (error: unknown) =>
            finish(() => {
              const code = isSwitchyardError(error) || hasCode(error) ? ` [${(error as { code: string }).code}]` : '';
              emit(CoreEvent.AlarmReactionFailed, { ...fields, error: `${describeError(error)}${code}` });
            }),
        );
    });
  }
}

function hasCode(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SWY_ERR_');
}
