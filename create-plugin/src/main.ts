#!/usr/bin/env node
import { runCreatePlugin } from './cli';

runCreatePlugin(process.argv.slice(2), {
  cwd: process.cwd(),
  interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY),
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
}).then(
  (code) => process.stdout.write('', () => process.exit(code)),
  (error: unknown) => {
    process.stderr.write(`create-plugin: ${String(error)}\n`);
    process.exit(1);
  },
);
