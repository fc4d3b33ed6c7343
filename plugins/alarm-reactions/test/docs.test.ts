import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { alarmEnvironment, ALARM_REACTION_ERROR_CODES, ALARM_REACTION_EVENTS, alarmReactionsPlugin } from '../src/index';
import { sampleAlarm } from './support/context';

const readme = fs.readFileSync(path.resolve(__dirname, '../../../README.md'), 'utf8');

describe('README matches the alarm-reactions plugin', () => {
  it('lists every log event', () => {
    expect(ALARM_REACTION_EVENTS.map((e) => e.id).filter((id) => !readme.includes(`| ${id} |`))).toEqual([]);
  });
  it('lists every error code', () => {
    expect(Object.keys(ALARM_REACTION_ERROR_CODES).filter((c) => !readme.includes(`\`${c}\``))).toEqual([]);
  });
  it('documents every reaction kind and every exec environment variable', () => {
    expect(Object.keys(alarmReactionsPlugin.alarmReactions ?? {}).filter((k) => !readme.includes(`| \`${k}\` |`))).toEqual([]);
    const documented = (name: string) => readme.includes(`\`${name}\``) || readme.includes(`\`${name.replace(/^SWITCHYARD_ALARM(_\w+)$/, '$1')}\``);
    expect(Object.keys(alarmEnvironment(sampleAlarm(), 'raised')).filter((v) => !documented(v))).toEqual([]);
  });
});
