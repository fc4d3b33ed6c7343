/**
 * The micro-benchmark runner: tinybench (ESM-only, so loaded with a dynamic
 * `import()` from this CommonJS package), one `Bench` per group, results in
 * one flat shape the bench table and JSON can carry.
 */

/** One measured task. Times in nanoseconds per operation. */
export interface MicroResult {
  /** `group/task`, e.g. `parse/REGISTER`. */
  name: string;
  /** Operations per second (mean). */
  hz: number;
  /** Mean time per operation, ns. */
  meanNs: number;
  /** 99th percentile time per operation, ns. */
  p99Ns: number;
  /** Relative margin of error of the mean, percent. */
  rme: number;
  /** Samples taken. */
  samples: number;
}

/** A group of micro-benchmarks (the store engineer's replication group is one more). */
export interface MicroBenchmark {
  name: string;
  run(opts: { quick: boolean }): Promise<MicroResult[]>;
  /** The same tasks, for a fixed-count run (CPU time, callgrind); optional. */
  tasks?(): MicroTask[];
}

/** One task: a synchronous function, called many times. */
export interface MicroTask {
  name: string;
  fn: () => unknown;
}

type TinybenchModule = typeof import('tinybench');

// tsc would turn `import()` into `require()` under CommonJS; this keeps a real dynamic import.
const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<TinybenchModule>;

/** Runs `tasks` as group `group`: about 1 s a task (0.2 s with `quick`), after a warm-up. */
export async function runTasks(group: string, tasks: readonly MicroTask[], opts: { quick: boolean }): Promise<MicroResult[]> {
  const { Bench } = await importEsm('tinybench');
  const bench = new Bench({
    name: group,
    time: opts.quick ? 200 : 1000,
    warmupTime: opts.quick ? 50 : 250,
    throws: true,
  });
  for (const task of tasks) bench.add(task.name, task.fn);
  await bench.run();
  return bench.tasks.map((task) => {
    const result = task.result;
    if (result.state !== 'completed') throw new Error(`micro-benchmark ${group}/${task.name} did not complete (${result.state})`);
    const meanNs = result.latency.mean * 1e6;
    return {
      name: `${group}/${task.name}`,
      // From the mean latency, so ops/s and ns/op agree (tinybench's mean of per-sample throughput is
      // skewed by the fastest samples: up to 8x off under load).
      hz: 1e9 / meanNs,
      meanNs,
      p99Ns: result.latency.p99 * 1e6,
      rme: result.latency.rme,
      samples: result.latency.samplesCount,
    };
  });
}

/**
 * Runs each task `iterations` times after a warm-up of a tenth as many and
 * reports the process CPU time per call: steadier than wall time on a
 * shared machine, and the mode to run under `valgrind --tool=callgrind`.
 */
export async function runFixed(group: string, tasks: readonly MicroTask[], iterations: number): Promise<MicroResult[]> {
  // A task that returns a promise is awaited call by call (one at a time, as tinybench runs it);
  // a synchronous one runs in a plain loop, so no await is counted in its time.
  const loops = await Promise.all(tasks.map(async (task) => {
    const isAsync = (await settle(task.fn())) === 'async';
    return async (count: number): Promise<void> => {
      if (isAsync) for (let i = 0; i < count; i++) await task.fn();
      else for (let i = 0; i < count; i++) task.fn();
    };
  }));
  // Every task warms up before any is measured: code they share is optimised by then, not during the first one.
  for (const loop of loops) await loop(Math.ceil(iterations / 5));
  const results: MicroResult[] = [];
  for (const [i, task] of tasks.entries()) {
    const before = process.cpuUsage();
    await loops[i]!(iterations);
    const used = process.cpuUsage(before);
    const meanNs = ((used.user + used.system) * 1000) / iterations;
    results.push({ name: `${group}/${task.name}`, hz: 1e9 / meanNs, meanNs, p99Ns: Number.NaN, rme: Number.NaN, samples: iterations });
  }
  return results;
}

async function settle(result: unknown): Promise<'async' | 'sync'> {
  if (!(result instanceof Promise)) return 'sync';
  await result;
  return 'async';
}
