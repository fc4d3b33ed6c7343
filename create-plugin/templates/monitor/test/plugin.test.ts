import fs from 'node:fs';
import path from 'node:path';
import { PluginTester } from '@switchyard/sdk';
import { describe, it } from 'vitest';
import plugin from '../src/index';

PluginTester.describe = describe;
PluginTester.it = it;

/** Options pointing the node at a health file in the case's own folder (removed after the case). */
const inCaseDir = ({ dir }: { dir: string }) => ({ file: path.join(dir, 'health-{node}.txt'), interval: 1 });
const write = (content: string, node = 'node-a') => ({
  stimulus: ({ dir }: { dir: string }) => fs.writeFileSync(path.join(dir, `health-${node}.txt`), content),
});

new PluginTester(plugin, { key: '__PACKAGE__' }).run({
  valid: [{ options: true }, { options: { file: '/var/run/health-{node}', interval: 5 } }],
  invalid: [
    {
      name: 'an interval of 0',
      options: { interval: 0 },
      errors: ['Key "plugins.__PACKAGE__.interval": must be greater than 0 (got 0) [SWY_ERR_PLUGIN_OPTIONS]'],
    },
    {
      name: 'a misspelt key',
      options: { fiel: 'x' },
      errors: ['Key "plugins.__PACKAGE__.fiel": unknown key "fiel"; did you mean "file"? [SWY_ERR_PLUGIN_OPTIONS]'],
    },
  ],
  behaviour: [
    {
      name: 'no health file: the node runs and logs nothing of its own',
      options: inCaseDir,
      steps: [{ order: 'primary' }, { advance: 5 }],
      expect: { events: [], status: 'running', role: 'primary' },
    },
    {
      name: 'the file says down: __PREFIX__-00001 once, the node is unavailable',
      options: inCaseDir,
      steps: [{ order: 'primary' }, write('down'), { advance: 1 }, write('maintenance'), { advance: 3 }],
      expect: { events: ['__PREFIX__-00001'], status: 'unavailable' },
    },
    {
      name: 'the file says up again: __PREFIX__-00002, the node runs',
      options: inCaseDir,
      steps: [{ order: 'primary' }, write('down'), { advance: 1 }, write('up'), { advance: 1 }],
      expect: { events: ['__PREFIX__-00001', '__PREFIX__-00002'], status: 'running' },
    },
    {
      name: 'in a pair, the primary going down makes the backup primary',
      pair: true,
      options: inCaseDir,
      steps: [{ advance: 1 }, write('down', 'node-a'), { advance: 3 }],
      expect: { primary: 'node-b', role: 'backup', status: 'unavailable' },
    },
  ],
});
