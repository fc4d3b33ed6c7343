import { describe, expect, it } from 'vitest';
import type { PluginEngine } from '@switchyard/sdk';
import { SipMetrics } from '../src/metrics';

/** A metrics facade that records every label set a series was asked for. */
function recordingMetrics() {
  const labelSets: Record<string, string>[] = [];
  const series = (labels: Record<string, string>) => {
    labelSets.push(labels);
    return { inc: () => undefined };
  };
  const metrics = {
    counter: () => ({ labels: series, inc: () => undefined }),
    gauge: () => ({ labels: series, set: () => undefined }),
    histogram: () => ({ labels: series, startTimer: () => () => undefined, observe: () => undefined }),
  } as unknown as PluginEngine['metrics'];
  return { metrics, labelSets };
}

describe('SIP metrics', () => {
  it('count a method a peer made up as "other": 1,000 invented methods add one label value, not 1,000', () => {
    const { metrics, labelSets } = recordingMetrics();
    const sip = new SipMetrics(metrics);
    for (let i = 0; i < 1000; i++) {
      sip.request(`X${i}`);
      sip.response(`X${i}`, 405);
    }
    sip.request('REGISTER');
    sip.request('REGISTER');
    sip.response('REGISTER', 200);
    const methods = new Set(labelSets.map((l) => l.method));
    expect([...methods].sort()).toEqual(['REGISTER', 'other']);
    const codes = new Set(labelSets.filter((l) => l.code !== undefined).map((l) => `${l.method} ${l.code}`));
    expect([...codes].sort()).toEqual(['REGISTER 200', 'other 405']);
    // A known method's series is resolved once and reused.
    expect(labelSets.filter((l) => l.method === 'REGISTER' && l.code === undefined)).toHaveLength(1);
  });
});
