/**
 * Micro-benchmarks of the hot paths (issue 12): each group runs in-process
 * with tinybench, so a regression in parsing or the registrar shows without
 * SIPp. Register a new group by adding it to `microBenchmarks`.
 */
import { parseBenchmark } from './parse';
import { registrarBenchmark } from './registrar';
import { replicationBenchmark } from './replication';
import type { MicroBenchmark } from './runner';

export type { MicroBenchmark, MicroResult } from './runner';

export const microBenchmarks: MicroBenchmark[] = [
  parseBenchmark,
  registrarBenchmark,
  replicationBenchmark,
];
