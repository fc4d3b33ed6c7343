#!/usr/bin/env node
import 'reflect-metadata';
import { runCli } from './cli/program';

function exit(code: number): void {
  // Exit once stdout has drained, so piped output is never cut short.
  process.stdout.write('', () => process.exit(code));
}

runCli(process.argv).then(exit, (error: unknown) => {
  process.stderr.write(`switchyard-lab: ${String(error)}\n`);
  exit(1);
});
