import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SIP_ERROR_CODES, SIP_EVENTS } from '../src/index';
import { SIP_PARSE_ERROR_CODES } from '../src/message';

const readme = fs.readFileSync(path.resolve(__dirname, '../../../README.md'), 'utf8');

describe('README matches the SIP plugin', () => {
  it('lists every SIP log event', () => {
    expect(SIP_EVENTS.map((e) => e.id).filter((id) => !readme.includes(`| ${id} |`))).toEqual([]);
  });
  it('lists every SIP error code and parse error code', () => {
    expect(Object.keys(SIP_ERROR_CODES).filter((c) => !readme.includes(`\`${c}\``))).toEqual([]);
    expect(SIP_PARSE_ERROR_CODES.map((c) => c.replace('SIP_PARSE_', '')).filter((c) => !readme.includes(`\`${c}\``))).toEqual([]);
  });
});
