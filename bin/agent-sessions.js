#!/usr/bin/env node
// The `agent-sessions` command: runs the TypeScript CLI through tsx, so there is no build step.
require('tsx/cjs/api').register();
require('../src/client/cli/main.ts').main(process.argv.slice(2));
