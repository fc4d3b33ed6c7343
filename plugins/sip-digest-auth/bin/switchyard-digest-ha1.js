#!/usr/bin/env node
'use strict';
// `switchyard-digest-ha1 USER REALM [ALGORITHM…]`: committed so npm links it at install time (see core/bin).
const fs = require('node:fs');
const path = require('node:path');

const main = path.join(__dirname, '..', 'dist', 'ha1-cli.js');
if (fs.existsSync(main)) {
  require(main).main(process.argv.slice(2));
} else {
  process.stderr.write('switchyard-digest-ha1: not built yet — run `npm run build` in the repository first\n');
  process.exitCode = 2;
}
