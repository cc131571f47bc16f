import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ErrorCode } from '../../src/errors.js';

test('docs/errors.md lists every error code, and no code that does not exist', () => {
  const doc = readFileSync('docs/errors.md', 'utf8');
  const documented = new Set([...doc.matchAll(/`(DECLAW_[A-Z_]+)`/g)].map((m) => m[1]));
  const codes = new Set(Object.values(ErrorCode));
  for (const code of codes) assert.ok(documented.has(code), `${code} is missing from docs/errors.md`);
  for (const code of documented)
    assert.ok(codes.has(code as never), `${code} is documented but not in ErrorCode`);
});
