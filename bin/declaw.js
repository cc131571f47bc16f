#!/usr/bin/env node
// Thin launcher: the CLI lives in the compiled package (npm run build).
import { main } from '../dist/src/cli/main.js';

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`declaw: ${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 2;
  },
);
