import fs from 'node:fs';
import path from 'node:path';
import * as lab from '@switchyard/lab';
import { describe, expect, it } from 'vitest';
import * as fromSdk from '../src/lab';

describe('@switchyard/sdk/lab', () => {
  it("re-exports the lab's fault injection and invariant checkers, the very same functions", () => {
    for (const name of ['injectFault', 'FAULT_KINDS', 'NODE_FAULTS', 'LabPair', 'waitForSettledPair', 'startProbe', 'doublePrimaries', 'longestOutage', 'lostRegistrations', 'withHeldRepliesAtSendTime', 'snapshotResources', 'findLeaks'] as const) {
      expect(fromSdk[name], name).toBeDefined();
      expect(fromSdk[name], name).toBe(lab[name]);
    }
    expect(Object.keys(fromSdk).sort()).toEqual(Object.keys(lab).sort());
  });

  it('is a subpath of the package, with @switchyard/lab an optional peer dependency (the SDK installs without it)', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { exports: Record<string, unknown>; peerDependencies: Record<string, string>; peerDependenciesMeta: Record<string, { optional: boolean }>; dependencies: Record<string, string> };
    expect(pkg.exports['./lab']).toEqual({ types: './dist/lab.d.ts', default: './dist/lab.js' });
    expect(pkg.peerDependencies['@switchyard/lab']).toBeDefined();
    expect(pkg.peerDependenciesMeta['@switchyard/lab']).toEqual({ optional: true });
    expect(pkg.dependencies['@switchyard/lab']).toBeUndefined();
  });
});
