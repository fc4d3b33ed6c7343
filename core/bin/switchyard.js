#!/usr/bin/env node
'use strict';
// The `switchyard` command. This file is committed, so npm links it into
// node_modules/.bin at install time: a bin target that the build creates
// later (dist/cli/main.js) is not linked, and npx then finds no executable.
const fs = require('node:fs');
const path = require('node:path');

const main = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
if (fs.existsSync(main)) {
  require(main); // runs the CLI on process.argv, as when started directly
} else {
  process.stderr.write('switchyard: not built yet — run `npm run build` (or `npm start`) in the repository first\n');
  process.exitCode = 2;
}
