#!/usr/bin/env node
'use strict';
// `npx switchyard` in a plugin package that depends only on @switchyard/sdk:
// the CLI is @switchyard/core's (a dependency of the SDK), run as its own bin runs it.
const path = require('node:path');

require(path.join(path.dirname(require.resolve('@switchyard/core/package.json')), 'bin', 'switchyard.js'));
