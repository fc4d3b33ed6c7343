import path from 'node:path';
import { firstColumn, markdownTables } from '@switchyard/sdk/testing';
import { describe, expect, it } from 'vitest';
import { alarmEnvironment, ALARM_REACTION_ERROR_CODES, ALARM_REACTION_EVENTS, alarmReactionsPlugin } from '../src/index';
import { sampleAlarm } from './support/context';

const README = path.resolve(__dirname, '../README.md');

describe('README of alarm-reactions matches the code', () => {
  it('the event table lists exactly the plugin events, with their levels', () => {
    const [table] = markdownTables(README, 'Events');
    expect(firstColumn(table!)).toEqual(ALARM_REACTION_EVENTS.map((e) => e.id));
    for (const [id, level] of table!) expect(level, id).toBe(ALARM_REACTION_EVENTS.find((e) => e.id === id)?.level);
  });

  it('the error table lists exactly the codes, each with the remedy the error carries', () => {
    const [table] = markdownTables(README, 'Error codes');
    expect(firstColumn(table!)).toEqual(Object.keys(ALARM_REACTION_ERROR_CODES));
    for (const [code, remedy] of table!) expect(remedy, code).toBe(ALARM_REACTION_ERROR_CODES[code!.replace(/`/g, '') as keyof typeof ALARM_REACTION_ERROR_CODES]);
  });

  it('the kinds table lists exactly the reaction kinds the plugin offers', () => {
    const [table] = markdownTables(README, 'Options: the reaction kinds');
    expect(firstColumn(table!)).toEqual(Object.keys(alarmReactionsPlugin.alarmReactions ?? {}));
  });

  it('the exec environment table lists exactly the variables a command gets', () => {
    const [table] = markdownTables(README, '`exec` environment');
    const documented = firstColumn(table!).flatMap((cell) => {
      const [first, ...rest] = cell.split(' / ');
      return [first!, ...rest.map((suffix) => first!.replace(/_[A-Z]+_SEEN$/, '') + suffix)];
    });
    expect([...documented].sort()).toEqual(Object.keys(alarmEnvironment(sampleAlarm(), 'raised')).sort());
  });
});
