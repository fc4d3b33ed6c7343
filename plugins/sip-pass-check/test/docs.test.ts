import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PASS_CHECK_EVENTS } from '../src/index';

const readme = fs.readFileSync(path.resolve(__dirname, '../../../README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## `sip-pass-check`'));

describe('README matches sip-pass-check', () => {
  it('has a sip-pass-check section after the SIP plugin section', () => {
    expect(readme.indexOf('## `sip-pass-check`')).toBeGreaterThan(readme.indexOf('## SIP service plugin'));
  });
  it('lists every sip-pass-check log event with its level', () => {
    expect(PASS_CHECK_EVENTS.filter((e) => !section.includes(`| ${e.id} | ${e.level} |`)).map((e) => e.id)).toEqual([]);
  });
  it('names the options with their classic names, and the runnable example', () => {
    for (const text of ['`oosCheck`', '`oos-check`', '`oosForce`', '`oos-force`', '`serviceDevices`', 'examples/sip-pass-check', 'uas-options.xml']) {
      expect(section, text).toContain(text);
    }
  });
});
