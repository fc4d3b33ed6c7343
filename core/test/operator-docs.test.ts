import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AGENT_METRICS, NODE_METRICS } from '../src/metrics/definitions';
import { METRIC_ERROR_CODES } from '../src/metrics/errors';
import { firstColumn, markdownTables } from '../src/testing/docs';

const ROOT = path.resolve(__dirname, '../..');
const API = path.join(ROOT, 'docs/operator/api.md');
const ERRORS = path.join(ROOT, 'docs/operator/errors.md');
const SECTION = 'Operator console, metrics and history';

/** The metric names the sip plugin defines, read from its source (core does not import plugins). */
function sipMetricNames(): string[] {
  const source = fs.readFileSync(path.join(ROOT, 'plugins/sip/src/metrics.ts'), 'utf8');
  return [...source.matchAll(/name: '(switchyard_sip_[a-z_]+)'/g)].map((m) => m[1]!);
}

describe('docs/operator/api.md: operator console, metrics and history', () => {
  it('the metric table lists exactly the metrics the code registers, with their types and labels', () => {
    const [table] = markdownTables(API, SECTION);
    const documented = new Map(table!.map((row) => [row[0]!.replace(/`/g, ''), row]));
    const sip = sipMetricNames();
    expect(sip.length).toBeGreaterThan(0);
    expect([...documented.keys()].sort()).toEqual([...AGENT_METRICS.map((m) => m.name), ...NODE_METRICS.map((m) => m.name), ...sip].sort());
    for (const metric of [...AGENT_METRICS, ...NODE_METRICS]) {
      const [, type, labels, help] = documented.get(metric.name)!;
      expect(type, metric.name).toBe(metric.type);
      expect(labels, metric.name).toBe(metric.labels.length === 0 ? '—' : metric.labels.map((l) => `\`${l}\``).join(', '));
      expect(help, metric.name).toBe(metric.help);
    }
  });

  it('shows the console screenshot the browser test takes, from a file that exists', () => {
    const text = fs.readFileSync(API, 'utf8');
    const image = /!\[[^\]]*\]\((\.\.\/console\.png)\)/.exec(text);
    expect(image).not.toBeNull();
    // The link is relative to the page; the browser test writes docs/console.png.
    expect(path.resolve(path.dirname(API), image![1]!)).toBe(path.join(ROOT, 'docs/console.png'));
    expect(fs.statSync(path.join(ROOT, 'docs/console.png')).size).toBeGreaterThan(1000);
  });

  it('the management API table lists /metrics, /history, /events and the console', () => {
    const [table] = markdownTables(API, 'Management API');
    const paths = firstColumn(table!).join('\n');
    for (const route of ['GET /metrics', 'GET /history', 'GET /events', 'GET /']) expect(paths).toContain(route);
  });

  it('the error-code section lists the metrics API code with its remedy', () => {
    const [table] = markdownTables(ERRORS, 'Metrics API (`engine.metrics`, core)');
    expect(table).toBeDefined();
    expect(Object.fromEntries(table!.map((r) => [r[0]!.replace(/`/g, ''), r[1]]))).toEqual(METRIC_ERROR_CODES);
  });
});
