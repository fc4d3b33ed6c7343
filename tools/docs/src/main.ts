import 'reflect-metadata';
import { writeDocs } from './generate';

// `npm run docs`: rewrite the generated tables of the docs from the code.
try {
  const written = writeDocs();
  process.stdout.write(written.length === 0 ? 'docs: every generated table is up to date\n' : `docs: rewrote ${written.join(', ')}\n`);
} catch (error) {
  process.stderr.write(`docs: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
