import type { Progress } from '../progress';
import type { ScenarioResult } from '../stats';

/** What every scenario gets: the size of the run and where to say how far it is. */
export interface ScenarioContext {
  quick: boolean;
  progress: Progress;
  /** Figures one scenario leaves for another (e.g. RSS with 100k bindings for `footprint`). */
  shared: Record<string, number>;
}

export interface Scenario {
  name: string;
  /** Whether it drives SIPp, which is then required before anything runs (default true). */
  usesSipp?: boolean;
  run(ctx: ScenarioContext): Promise<ScenarioResult[]>;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
