import path from 'node:path';
import { firstColumn, markdownTables } from '@switchyard/sdk/testing';
import { describe, expect, it } from 'vitest';
import { FAILOVER_TARGET_MS } from '../src/scenarios/failover';
import { UP_TARGET_MS } from '../src/scenarios/footprint';

const BENCHMARKS = path.resolve(__dirname, '..', '..', 'docs', 'operator', 'benchmarks.md');

/** What benchmarks.md's scenario table says a scenario is measured by (its second column). */
function documented(scenario: string): string {
  for (const table of markdownTables(BENCHMARKS, 'Benchmarks: how to run them, the scenarios, the figures')) {
    const row = firstColumn(table).indexOf(scenario);
    if (row >= 0) return table[row]![1]!;
  }
  throw new Error(`benchmarks.md has no row for ${scenario}`);
}

describe("issue 16's targets: the bench's and the scenario table's agree", () => {
  it('failover-on-crash, failover-on-freeze and up-to-running', () => {
    expect(documented('failover-on-crash')).toContain(`Target (issue 16): median ≤ ${FAILOVER_TARGET_MS.crash} ms`);
    expect(documented('failover-on-freeze')).toContain(`Target (issue 16): median ≤ ${FAILOVER_TARGET_MS.freeze} ms`);
    expect(documented('up-to-running')).toContain(`Target (issue 16): median ≤ ${UP_TARGET_MS} ms`);
  });
});
