#!/usr/bin/env node
// First: the nodes `up` / `node` will run start loading their modules while this process loads its own.
import './prefork';
import 'reflect-metadata';
import { discardPreforked } from '../supervisor/node-prefork';
import { runCli } from './program';

// A reader that went away (`switchyard status | head`) is not an error of ours: stop quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

function exit(code: number): void {
  discardPreforked();
  // Exit once stdout has drained, so piped output is never cut short.
  process.stdout.write('', () => process.exit(code));
}

runCli(process.argv).then(exit, (error: unknown) => {
  process.stderr.write(`switchyard: ${String(error)}\n`);
  exit(1);
});
