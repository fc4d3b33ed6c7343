/** Exponential restart backoff for a dead node: delay, 2×delay, … up to max; reset after a stable run. */
export class RestartBackoff {
  private attempt = 0;

  constructor(
    private readonly initialSeconds: number,
    private readonly maxSeconds: number,
  ) {}

  get attempts(): number {
    return this.attempt;
  }

  /** Seconds to wait before the next restart; `uptimeSeconds` of the run that just ended. */
  next(uptimeSeconds: number): number {
    if (uptimeSeconds >= this.maxSeconds) this.attempt = 0;
    const delay = Math.min(this.maxSeconds, this.initialSeconds * 2 ** this.attempt);
    this.attempt += 1;
    return delay;
  }
}
