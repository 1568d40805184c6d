#!/usr/bin/env node
// The installed entry point runs the compiled CLI; `npm install` builds it (the `prepare` script).
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli/cli.js', import.meta.url);
if (!existsSync(cli)) {
  console.error('aws-provisioner is not built yet: run `npm install` (or `npm run build`) first.');
  process.exit(1);
}
await import(cli.href);
