import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { shannonEntropy } from '../../../../../src/content/pii/secret-rules/entropy.js';
import {
  GITLEAKS_GLOBAL_ALLOWLIST,
  GITLEAKS_RULES,
  GITLEAKS_RULES_SOURCE,
} from '../../../../../src/content/pii/secret-rules/gitleaks-rules.js';
import { DECLAW_SECRET_RULES } from '../../../../../src/content/pii/secret-rules/declaw-rules.js';
import { SecretRuleMatcher } from '../../../../../src/content/pii/secret-rules/matcher.js';
import { Utf8Offsets } from '../../../../../src/content/pii/secret-rules/utf8-offsets.js';
import { hasUnboundedRepeat } from '../../../../../src/content/pii/secret-rules/pattern-bounds.js';
import type { SecretRuleSpec } from '../../../../../src/content/pii/secret-rules/types.js';

const root = resolve(import.meta.dirname, '../../../../..');

test('every shipped rule and allowlist compiles with RE2', () => {
  const matcher = new SecretRuleMatcher(
    [...GITLEAKS_RULES, ...DECLAW_SECRET_RULES],
    GITLEAKS_GLOBAL_ALLOWLIST,
  );
  assert.doesNotThrow(() => matcher.compileAll());
  assert.equal(matcher.size, GITLEAKS_RULES.length + DECLAW_SECRET_RULES.length);
  assert.equal(GITLEAKS_RULES_SOURCE.rulesKept, GITLEAKS_RULES.length);
  assert.ok(GITLEAKS_RULES.length >= 200, 'most gitleaks rules apply to bodies');
  assert.ok(GITLEAKS_RULES.every((r) => r.keywords.length > 0));
});

test('the generated module and NOTICE keep the gitleaks MIT attribution', () => {
  const generated = readFileSync(join(root, 'src/content/pii/secret-rules/gitleaks-rules.ts'), 'utf8');
  assert.match(generated, /Copyright \(c\) 2019 Zachary Rice/);
  assert.match(generated, /Permission is hereby granted, free of charge/);
  const notice = readFileSync(join(root, 'NOTICE'), 'utf8');
  assert.match(notice, /gitleaks/);
  assert.match(notice, /Copyright \(c\) 2019 Zachary Rice/);
});

test('regenerating from the gitleaks config reproduces the committed module exactly', (t) => {
  const input = resolve(root, '../shared/datasets/secrets/gitleaks.toml');
  if (!existsSync(input)) {
    t.skip(`the gitleaks config is not at ${input}`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'declaw-rules-'));
  try {
    const output = join(dir, 'gitleaks-rules.ts');
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(root, 'scripts/gen-secret-rules.ts'), '--input', input, '--output', output],
      { cwd: root, encoding: 'utf8' },
    );
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /skip pkcs12-file: no regex/);
    assert.equal(
      readFileSync(output, 'utf8'),
      readFileSync(join(root, 'src/content/pii/secret-rules/gitleaks-rules.ts'), 'utf8'),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Shannon entropy is 0 for one repeated character and log2(n) for n distinct ones', () => {
  assert.equal(shannonEntropy(''), 0);
  assert.equal(shannonEntropy('aaaa'), 0);
  assert.equal(shannonEntropy('ab'), 1);
  assert.equal(shannonEntropy('abcdefgh'), 3);
  // Non-ASCII text counts code points like ASCII text counts characters.
  assert.equal(shannonEntropy('éé'), 0);
  assert.equal(shannonEntropy('aé'), 1);
  assert.equal(shannonEntropy('ab😀😀'), shannonEntropy('abcc'));
});

const rule = (over: Partial<SecretRuleSpec>): SecretRuleSpec => ({
  id: 'demo',
  description: 'demo token',
  regex: '\\b(demo_[a-z0-9]{8})\\b',
  keywords: ['demo_'],
  ...over,
});

test('a rule runs only on text containing one of its keywords, case-insensitively', () => {
  const noKeyword = new SecretRuleMatcher([rule({ keywords: ['zzz'] })]);
  assert.deepEqual(noKeyword.find('x demo_a1b2c3d4 y'), []);
  const upper = new SecretRuleMatcher([rule({ regex: '(?i)\\b(demo_[a-z0-9]{8})\\b' })]);
  assert.deepEqual(upper.find('x DEMO_A1B2C3D4 y'), [{ ruleId: 'demo', start: 2, end: 15 }]);
});

test('mid-pattern (?i), as gitleaks writes it, works because patterns run on RE2', () => {
  const m = new SecretRuleMatcher([rule({ regex: '\\b(demo_(?i)[a-z]{4})\\b' })]);
  assert.deepEqual(m.find('demo_ABCD'), [{ ruleId: 'demo', start: 0, end: 9 }]);
});

test('a secret at or below the entropy threshold is dropped', () => {
  const m = new SecretRuleMatcher([rule({ entropy: 3 })]);
  assert.deepEqual(m.find('demo_aaaaaaaa'), []);
  assert.equal(m.find('demo_a1b2c3d4').length, 1);
});

test('allowlists drop findings by secret, by match, by line and by stopword', () => {
  const bySecret = new SecretRuleMatcher([
    rule({ allowlists: [{ target: 'secret', regexes: ['^demo_0+$'], stopwords: [], condition: 'OR' }] }),
  ]);
  assert.deepEqual(bySecret.find('demo_00000000'), []);
  const byLine = new SecretRuleMatcher([
    rule({ allowlists: [{ target: 'line', regexes: ['EXAMPLE'], stopwords: [], condition: 'OR' }] }),
  ]);
  assert.deepEqual(byLine.find('demo_a1b2c3d4 # EXAMPLE\ndemo_z9y8x7w6'), [
    { ruleId: 'demo', start: 24, end: 37 },
  ]);
  const byStopword = new SecretRuleMatcher([
    rule({ allowlists: [{ target: 'secret', regexes: [], stopwords: ['test'], condition: 'OR' }] }),
  ]);
  assert.deepEqual(byStopword.find('demo_test1234'), []);
  const both = new SecretRuleMatcher([
    rule({ allowlists: [{ target: 'match', regexes: ['demo_'], stopwords: ['zz'], condition: 'AND' }] }),
  ]);
  assert.equal(both.find('demo_a1b2c3d4').length, 1, 'AND needs the stopword too');
  assert.deepEqual(both.find('demo_zz123456'), []);
});

test('overlapping matches of two rules keep the longer secret', () => {
  const m = new SecretRuleMatcher([
    rule({ id: 'short', regex: '(demo_[a-z0-9]{4})' }),
    rule({ id: 'long', regex: '(demo_[a-z0-9]{8})' }),
  ]);
  assert.deepEqual(m.find('demo_a1b2c3d4'), [{ ruleId: 'long', start: 0, end: 13 }]);
});

test('UTF-8 byte offsets map back to UTF-16 offsets, far into non-ASCII text', () => {
  const text = `${'é😀'.repeat(5000)}key`;
  const map = new Utf8Offsets(text, Buffer.from(text));
  assert.equal(map.toUtf16(Buffer.byteLength(text) - 3), text.length - 3);
  assert.equal(map.toUtf16(6), 3);
});

test('patterns that can match unbounded text are recognised, so they are never cut to a window', () => {
  assert.equal(hasUnboundedRepeat('ghp_[0-9a-zA-Z]{36}'), false);
  assert.equal(hasUnboundedRepeat('\\b(pat[[:alnum:]]{14}\\.[a-f0-9]{64})\\b'), false);
  assert.equal(hasUnboundedRepeat('[a-z+*{}]{3,9}\\+\\*'), false);
  assert.equal(hasUnboundedRepeat('xoxb-[0-9]{10,13}[a-zA-Z0-9-]*'), true);
  assert.equal(hasUnboundedRepeat('ey[a-zA-Z0-9]{17,}'), true);
  assert.equal(hasUnboundedRepeat('a+?b'), true);
  assert.equal(hasUnboundedRepeat('x{1,5000}'), true);
});
