import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError, PolicyInvalidError } from '../../../../src/errors.js';
import { TransformEngine, TransformScratch } from '../../../../src/content/transform/index.js';
import type { TransformRuleInput } from '../../../../src/content/transform/index.js';

const both = (match: string, replace: string): TransformRuleInput => ({ direction: 'both', match, replace });

test('rules run in listed order, each on the output of the previous one', () => {
  const ab = new TransformEngine([both('cat', 'dog'), both('dog', 'wolf')]);
  assert.equal(ab.applyToText('cat dog', 'outbound').output, 'wolf wolf');
  const ba = new TransformEngine([both('dog', 'wolf'), both('cat', 'dog')]);
  assert.equal(ba.applyToText('cat dog', 'outbound').output, 'dog wolf');
});

test('a later rule sees text an earlier rule produced even when the original text had no match for it', () => {
  // Rules 1 and 2 match nothing in the input, so a prefilter run on the input rules them out; rule 0's
  // output creates matches for both, which must still be replaced.
  const rules = [both('a', 'bb'), both('bbbb', 'C'), both('Cx', 'D'), both('zz', 'Q')];
  for (const prefilter of [true, false]) {
    const r = new TransformEngine(rules, { prefilter }).applyToText('aax aax', 'outbound');
    assert.equal(r.output, 'D D');
    assert.deepEqual(r.fired, [
      { rule: 0, count: 4 },
      { rule: 1, count: 2 },
      { rule: 2, count: 2 },
    ]);
  }
});

test('an earlier rule can remove the only match of a later rule, which then does not fire', () => {
  const r = new TransformEngine([both('secret-\\d+', '[X]'), both('\\d+', '#'), both('q', 'Q')]).applyToText(
    'secret-42 and more',
    'outbound',
  );
  assert.equal(r.output, '[X] and more');
  assert.deepEqual(r.fired, [{ rule: 0, count: 1 }]);
});

test('direction: outbound rules touch requests only, inbound rules responses only, both rules both', () => {
  const engine = new TransformEngine([
    { direction: 'outbound', match: 'out', replace: 'O' },
    { direction: 'inbound', match: 'in', replace: 'I' },
    { direction: 'both', match: 'all', replace: 'A' },
  ]);
  assert.equal(engine.applyToText('out in all', 'outbound').output, 'O in A');
  assert.equal(engine.applyToText('out in all', 'inbound').output, 'out I A');
  assert.equal(engine.hasRules('outbound'), true);
  assert.equal(
    new TransformEngine([{ direction: 'inbound', match: 'x', replace: '' }]).hasRules('outbound'),
    false,
  );
});

test('fired counts every replaced match per rule, by policy index, and never carries matched text', () => {
  const engine = new TransformEngine([
    { direction: 'inbound', match: 'never', replace: '' },
    both(String.raw`sk-[a-z0-9]+`, '[KEY]'),
    both(String.raw`\d{3}-\d{2}-\d{4}`, '[SSN]'),
  ]);
  const r = engine.applyToText('sk-abc1 sk-def2 sk-ghi3 and 123-45-6789', 'outbound');
  assert.deepEqual(r.fired, [
    { rule: 1, count: 3 },
    { rule: 2, count: 1 },
  ]);
  for (const f of r.fired) assert.deepEqual(Object.keys(f).sort(), ['count', 'rule']);
  assert.doesNotMatch(JSON.stringify(r.fired), /sk-|6789/);
});

test('nothing fired: the very same string or Buffer comes back, and fired is empty', () => {
  const engine = new TransformEngine([both('zzz', 'y'), both('qqq', 'y')]);
  const text = 'no match here \ud800 (a lone surrogate stays as it is)';
  const r = engine.applyToText(text, 'inbound');
  assert.equal(r.output, text);
  assert.deepEqual(r.fired, []);
  const buf = Buffer.from([0x61, 0xff, 0x62]);
  assert.equal(engine.applyToBuffer(buf, 'inbound').output, buf);
});

test('an engine without rules passes everything through', () => {
  const engine = new TransformEngine([]);
  assert.deepEqual(engine.applyToText('abc', 'outbound'), { output: 'abc', fired: [] });
  assert.deepEqual(engine.applyToHead([['A', 'b']], 'inbound').headers, [['A', 'b']]);
});

test('inline flags work: (?i) case folding, also for non-ASCII letters, and (?s) dot-all', () => {
  assert.equal(
    new TransformEngine([both('(?i)ÉTÉ', 'summer')]).applyToText('été Été', 'outbound').output,
    'summer summer',
  );
  assert.equal(
    new TransformEngine([both('(?s)<x>.*</x>', '')]).applyToText('a<x>1\n2</x>b', 'outbound').output,
    'ab',
  );
});

test('Unicode classes and \\x{...} escapes match real characters', () => {
  const engine = new TransformEngine([
    both(String.raw`\p{Cyrillic}+`, '[RU]'),
    both(String.raw`\x{1F600}`, ':)'),
  ]);
  assert.equal(engine.applyToText('hello мир 😀', 'outbound').output, 'hello [RU] :)');
});

test('\\d, \\w and \\b are ASCII-only, as in Go and RE2', () => {
  const r = new TransformEngine([both(String.raw`\d+`, 'N')]).applyToText('12 ١٢٣', 'outbound');
  assert.equal(r.output, 'N ١٢٣');
});

test('a pattern that can match the empty string inserts the replacement between characters, not inside them', () => {
  assert.equal(new TransformEngine([both('x*', '-')]).applyToText('aé😀x', 'outbound').output, '-a-é-😀--');
});

test('bytes that are not UTF-8 are never matched and come out unchanged around replaced text', () => {
  const input = Buffer.concat([
    Buffer.from('ssn 123-45-6789 '),
    Buffer.from([0xff, 0xfe, 0xc3]),
    Buffer.from(' ok'),
  ]);
  const r = new TransformEngine([both(String.raw`\d{3}-\d{2}-\d{4}`, '[SSN]'), both('x*', '')]).applyToBuffer(
    input,
    'outbound',
  );
  assert.deepEqual(
    r.output,
    Buffer.concat([Buffer.from('ssn [SSN] '), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(' ok')]),
  );
});

test('a password containing a byte that is not UTF-8 is not matched by [^@]+ (RE2 matches characters, not bytes)', () => {
  const input = Buffer.concat([Buffer.from('postgres://u:pa'), Buffer.from([0xff]), Buffer.from('ss@h')]);
  const r = new TransformEngine([both(String.raw`(postgres://[^:]+:)[^@]+(@)`, String.raw`\1[PASSWORD]\2`)]);
  assert.equal(r.applyToBuffer(input, 'outbound').fired.length, 0);
});

test('applyToText with a lone surrogate in text that a rule changes returns U+FFFD in its place', () => {
  const r = new TransformEngine([both('a', 'b')]).applyToText('a\ud800', 'outbound');
  assert.equal(r.output, 'b\ufffd');
});

test('invalid rules are refused up front with every problem and its JSON path', () => {
  let caught: unknown;
  try {
    new TransformEngine([
      { direction: 'outbound', match: '(?=x)', replace: '' },
      { direction: 'sideways' as 'both', match: 'ok', replace: '' },
      { direction: 'both', match: '(a)', replace: String.raw`\2` },
      { direction: 'both', match: '', replace: 'x' },
    ]);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof PolicyInvalidError);
  assert.equal(caught.code, 'DECLAW_POLICY_INVALID');
  assert.deepEqual(
    caught.issues.map((i) => i.path),
    [
      '$.transformations[0].match',
      '$.transformations[1].direction',
      '$.transformations[2].replace',
      '$.transformations[3].match',
    ],
  );
  assert.match(caught.issues[0]?.hint ?? '', /lookahead/);
  assert.equal(caught.issues[2]?.message, 'replace refers to group \\2 but match has 1 group');
});

test('non-object rules and non-array rule lists are refused with a PolicyInvalidError, not a crash', () => {
  assert.throws(() => new TransformEngine([null as unknown as TransformRuleInput]), PolicyInvalidError);
  assert.throws(() => new TransformEngine('x' as unknown as TransformRuleInput[]), PolicyInvalidError);
  assert.throws(
    () => new TransformEngine([{ direction: 'both', match: 5, replace: 1 } as unknown as TransformRuleInput]),
    PolicyInvalidError,
  );
});

test('an unknown message direction is refused with InvalidArgumentError naming the accepted values', () => {
  const engine = new TransformEngine([both('a', 'b')]);
  assert.throws(
    () => engine.applyToText('a', 'both' as 'outbound'),
    (err: unknown) => err instanceof InvalidArgumentError && /"outbound".*"inbound"/.test(err.message),
  );
  assert.throws(() => engine.applyToBuffer('a' as unknown as Buffer, 'outbound'), InvalidArgumentError);
});

test('results of big bodies do not share memory: a later call never changes an earlier result', () => {
  const engine = new TransformEngine([both('a', 'b'), both('b', 'c'), both('c', 'd')]);
  const first = engine.applyToBuffer(Buffer.from('a'.repeat(200_000)), 'outbound').output;
  const copy = Buffer.from(first);
  engine.applyToBuffer(Buffer.from('a'.repeat(150_000) + 'x'.repeat(50_000)), 'outbound');
  assert.ok(first.equals(copy));
  assert.equal(first.toString(), 'd'.repeat(200_000));
});

test('a body with hundreds of thousands of matches is rewritten and counted exactly', () => {
  const engine = new TransformEngine([{ direction: 'inbound', match: '[\\u200b\\u00ad]', replace: '' }]);
  const r = engine.applyToText('\u200b'.repeat(100_000) + 'x' + '\u00ad'.repeat(50_000), 'inbound');
  assert.equal(r.output, 'x');
  assert.deepEqual(r.fired, [{ rule: 0, count: 150_000 }]);
});

test('the same result with and without the prefilter on a mixed body', () => {
  const rules = [
    both(String.raw`(Authorization:\s*Bearer\s+)(sk-[A-Za-z0-9]+)`, String.raw`\1[REDACTED]`),
    both(String.raw`\b\d{3}-\d{2}-\d{4}\b`, '[SSN]'),
    both(String.raw`(?i)ignore\s+previous`, '[X]'),
    both(String.raw`\[SSN\] \[X\]`, 'combined'),
  ];
  const input =
    'Authorization: Bearer sk-1 then 123-45-6789 ignore previous and 999-99-9999 IGNORE  PREVIOUS';
  const a = new TransformEngine(rules).applyToText(input, 'outbound');
  const b = new TransformEngine(rules, { prefilter: false }).applyToText(input, 'outbound');
  assert.deepEqual(a, b);
  assert.equal(a.output, 'Authorization: Bearer [REDACTED] then combined and combined');
});

test('engines sharing one TransformScratch give the same, independent results as engines with their own', () => {
  const scratch = new TransformScratch();
  const a = new TransformEngine([both('a', 'b'), both('b', 'c')], { scratch });
  const b = new TransformEngine([both('x', 'y'), both('y', 'z')], { scratch });
  const big = (c: string): Buffer => Buffer.from(c.repeat(100_000));
  const ra = a.applyToBuffer(big('a'), 'outbound').output;
  const rb = b.applyToBuffer(big('x'), 'outbound').output;
  assert.ok(ra.equals(big('c')));
  assert.ok(rb.equals(big('z')));
  assert.ok(!scratch.owns(ra) && !scratch.owns(rb));
});

test('a TransformScratch with a nonsensical size is refused', () => {
  assert.throws(() => new TransformScratch(-1), InvalidArgumentError);
  assert.throws(() => new TransformScratch(1.5), InvalidArgumentError);
});
