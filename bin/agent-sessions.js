#!/usr/bin/env node
// The `agent-sessions` command: the compiled CLI (`npm run build` writes dist/; `npm install` runs it).
require('../dist/cli/main.js').main(process.argv.slice(2));
