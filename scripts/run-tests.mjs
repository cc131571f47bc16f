#!/usr/bin/env node
// Runs every *.test.ts under the given folders (default: test/) with node's built-in test runner,
// loading TypeScript through tsx. Node 20 has no glob support in `node --test`, so files are found here.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const roots = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const passThrough = process.argv.slice(2).filter((a) => a.startsWith('--'));

/** @param {string} p @returns {string[]} */
function collect(p) {
  const st = statSync(p);
  if (st.isFile()) return p.endsWith('.test.ts') ? [p] : [];
  return readdirSync(p)
    .sort()
    .flatMap((name) => (name === 'node_modules' || name.startsWith('.') ? [] : collect(join(p, name))));
}

const files = (roots.length ? roots : ['test']).flatMap((r) => collect(resolve(r)));
if (files.length === 0) {
  process.stderr.write('run-tests: no test files found\n');
  process.exit(1);
}
const reporter = process.env.CI ? ['--test-reporter=spec'] : [];
const res = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', ...reporter, ...passThrough, ...files],
  { stdio: 'inherit' },
);
process.exit(res.status ?? 1);
