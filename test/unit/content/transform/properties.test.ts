// Property-based checks of the engine against simple models of what it must do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import RE2 from 're2';
import { TransformEngine } from '../../../../src/content/transform/index.js';
import { parseReplacement } from '../../../../src/policy/replacement-syntax.js';
import type { CompiledRule } from '../../../../src/content/transform/rule-runner.js';
import {
  nativeSafeOnInvalidUtf8,
  runRule,
  toNativeTemplate,
} from '../../../../src/content/transform/rule-runner.js';
import { compileUserRegex } from '../../../../src/policy/user-regex.js';

const escapeRe2 = (s: string): string => s.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');

const ALPHABET = ['a', 'b', '.', '*', '(', '[', '$', '\\', 'é', '😀', ' ', '-'];

test('property: a literal pattern replaces like text.split(literal).join(replacement), and counts the pieces', () => {
  fc.assert(
    fc.property(
      fc.string({ unit: fc.constantFrom(...ALPHABET), minLength: 1, maxLength: 4 }),
      fc.string({ unit: fc.constantFrom(...ALPHABET), maxLength: 60 }),
      fc.string({ unit: fc.constantFrom('x', 'Y', '$', '$1', '&', 'ü', ' ') }),
      (literal, text, replacement) => {
        const engine = new TransformEngine([
          { direction: 'both', match: escapeRe2(literal), replace: replacement },
        ]);
        const r = engine.applyToText(text, 'inbound');
        const pieces = text.split(literal);
        assert.equal(r.output, pieces.join(replacement));
        assert.deepEqual(r.fired, pieces.length > 1 ? [{ rule: 0, count: pieces.length - 1 }] : []);
      },
    ),
  );
});

const PATTERNS = [
  '(a)(b)?',
  '(?P<x>[ab]+)',
  'x*',
  '\\b',
  '(?i)É',
  '[\\x{200b}\\x{00ad}]',
  '\\d{3}-\\d{2}',
  '(?:)',
  '.',
  '(é|😀)+',
  '^a|b$',
];
const REPLACEMENTS = ['', '-', '\\g<0>\\g<0>', '[$1]', '\\g<1>0', '<\\g<x>>', '\\1\\1'];

function compiled(pattern: string, replace: string): CompiledRule | undefined {
  const groups = compileUserRegex(pattern);
  let replacement;
  try {
    replacement = parseReplacement(replace, groups);
  } catch {
    return undefined;
  }
  return {
    index: 0,
    direction: 'both',
    pattern,
    re: new RE2(pattern, 'gu'),
    replacement,
    nativeTemplate: toNativeTemplate(replacement),
    nativeSafeOnInvalid: nativeSafeOnInvalidUtf8(pattern),
  };
}

test("property: node-re2's native replace (used for bodies with many matches) gives what the match loop gives", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...PATTERNS),
      fc.constantFrom(...REPLACEMENTS),
      fc.string({
        unit: fc.constantFrom('a', 'b', 'x', 'é', 'É', '😀', '1', '-', ' ', '\u200b', '\u00ad'),
        maxLength: 40,
      }),
      (pattern, replace, text) => {
        const rule = compiled(pattern, replace);
        fc.pre(rule !== undefined);
        const input = Buffer.from(text);
        const loop = runRule(rule as CompiledRule, input, undefined, Number.POSITIVE_INFINITY);
        const native = runRule(rule as CompiledRule, input, undefined, 0);
        assert.equal(native.output.toString(), loop.output.toString());
        assert.equal(native.count, loop.count);
      },
    ),
  );
});

test('patterns that can match empty before a byte that is not UTF-8 are kept off the native path for such input', () => {
  assert.deepEqual(
    PATTERNS.filter((p) => !nativeSafeOnInvalidUtf8(p)),
    ['x*', '\\b', '(?:)'],
  );
  assert.equal(nativeSafeOnInvalidUtf8('\\C'), false);
});

test('property: on bytes that are not valid UTF-8, the native path (where allowed) gives what the match loop gives', () => {
  const byteArb = fc.constantFrom(
    ...[0x61, 0x62, 0x78, 0x31, 0x2d, 0x20, 0x0a, 0xff, 0xc3, 0xa9, 0xe2, 0x80, 0x8b, 0xf0, 0x9f, 0x98, 0x80],
  );
  fc.assert(
    fc.property(
      fc.constantFrom(...PATTERNS),
      fc.constantFrom(...REPLACEMENTS),
      fc.array(byteArb, { maxLength: 40 }),
      (pattern, replace, bytes) => {
        const rule = compiled(pattern, replace);
        fc.pre(rule !== undefined && rule.nativeSafeOnInvalid);
        const input = Buffer.from(bytes);
        const loop = runRule(rule as CompiledRule, input, undefined, Number.POSITIVE_INFINITY);
        const native = runRule(rule as CompiledRule, input, undefined, 0);
        assert.deepEqual(native.output, loop.output);
        assert.equal(native.count, loop.count);
      },
    ),
    { numRuns: 300 },
  );
});

test('property: the prefilter never changes results, whatever the rules and the text', () => {
  const ruleArb = fc.record({
    direction: fc.constantFrom('outbound' as const, 'inbound' as const, 'both' as const),
    match: fc.constantFrom('a', 'ab', 'b+', 'ba', 'c', '(?i)A', '\\bb', 'x*', 'é'),
    replace: fc.constantFrom('', 'b', 'a', 'ab', 'c', 'ba'),
  });
  fc.assert(
    fc.property(
      fc.array(ruleArb, { minLength: 2, maxLength: 6 }),
      fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'A', ' ', 'é'), maxLength: 30 }),
      fc.constantFrom('outbound' as const, 'inbound' as const),
      (rules, text, direction) => {
        const fast = new TransformEngine(rules).applyToText(text, direction);
        const plain = new TransformEngine(rules, { prefilter: false }).applyToText(text, direction);
        assert.deepEqual(fast, plain);
      },
    ),
    { numRuns: 300 },
  );
});

test('property: applying the rules never throws on arbitrary text, bytes or header values', () => {
  const engine = new TransformEngine([
    {
      direction: 'both',
      match: String.raw`(Authorization:\s*Bearer\s+)(sk-[A-Za-z0-9]+)`,
      replace: String.raw`\1[X]`,
    },
    { direction: 'both', match: 'x*', replace: '\\n' },
    { direction: 'both', match: '(?i)[\\x{200b}-\\x{200d}é]', replace: '' },
    { direction: 'both', match: '.', replace: '\\g<0>' },
  ]);
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), fc.uint8Array({ maxLength: 64 }), (text, bytes) => {
      engine.applyToText(text, 'outbound');
      engine.applyToBuffer(Buffer.from(bytes), 'inbound');
      const r = engine.applyToHead([['X-Any', text]], 'outbound');
      for (const [, v] of r.headers) assert.doesNotMatch(v, /[\r\n\0]/);
    }),
  );
});

test('property: a Buffer of arbitrary bytes keeps every byte no rule matched', () => {
  const engine = new TransformEngine([{ direction: 'both', match: 'q+', replace: '' }]);
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
      const input = Buffer.from(bytes);
      const expected = Buffer.from(bytes.filter((b) => b !== 0x71));
      assert.deepEqual(engine.applyToBuffer(input, 'outbound').output, expected);
    }),
  );
});
