import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  describeReplacementProblem,
  parseReplacement,
  ReplacementSyntaxError,
  TransformEngine,
} from '../../../../src/content/transform/index.js';

const NO_GROUPS = { groupCount: 0, groupNames: [] as string[] };

function problem(replace: string, groupCount = 0, groupNames: string[] = []): string | undefined {
  return describeReplacementProblem(replace, { groupCount, groupNames })?.message;
}

function sub(match: string, replace: string, input: string): string {
  return new TransformEngine([{ direction: 'both', match, replace }]).applyToText(input, 'outbound').output;
}

// Expected outputs below were produced by CPython 3.11's re.sub on the same pattern, replacement and
// input (patterns chosen so that RE2 and Python's re agree on what matches).
const PYTHON_CASES: { match: string; replace: string; input: string; python: string }[] = [
  { match: '(a)(b)?', replace: String.raw`[\1|\2]`, input: 'ab a', python: '[a|b] [a|]' },
  {
    match: String.raw`(?P<user>\w+)@(?P<host>\w+)`,
    replace: String.raw`\g<host> at \g<user>`,
    input: 'mail bob@example now',
    python: 'mail example at bob now',
  },
  { match: String.raw`(\d+)`, replace: String.raw`\g<1>0`, input: 'x 12 y', python: 'x 120 y' },
  { match: 'x', replace: String.raw`$1 $& \\ \n\t|`, input: 'axb', python: 'a$1 $& \\ \n\t|b' },
  { match: 'x*', replace: '-', input: 'abxd', python: '-a-b--d-' },
  { match: '(o)', replace: String.raw`\-\1\&`, input: 'foo', python: 'f\\-o\\&\\-o\\&' },
  { match: '(o)', replace: String.raw`\0101`, input: 'o', python: '\b1' },
  { match: String.raw`\bcat\b`, replace: 'dog', input: 'cat concat cat.', python: 'dog concat dog.' },
  { match: '(?P<a>x)|(?P<b>y)', replace: String.raw`<\g<a>\g<b>>`, input: 'xy', python: '<x><y>' },
  { match: 'é+', replace: 'E', input: 'caféé résumé', python: 'cafE rEsumE' },
  {
    match: String.raw`(\w+)\s(\w+)`,
    replace: String.raw`\2 \1`,
    input: 'hello world foo bar',
    python: 'world hello bar foo',
  },
  { match: '(?:)', replace: '-', input: 'ab', python: '-a-b-' },
  { match: 'a|b', replace: String.raw`\g<0>\g<0>`, input: 'cab', python: 'caabb' },
];

for (const c of PYTHON_CASES) {
  test(`replacement ${JSON.stringify(c.replace)} on /${c.match}/ gives what Python's re.sub gives`, () => {
    assert.equal(sub(c.match, c.replace, c.input), c.python);
  });
}

test('a replacement without backslashes is one constant piece of text, "$" included', () => {
  const r = parseReplacement('[REDACTED] costs $5 ($1)', NO_GROUPS);
  assert.equal(r.constant?.toString('utf8'), '[REDACTED] costs $5 ($1)');
  assert.deepEqual(
    r.parts.map((p) => p.kind),
    ['literal'],
  );
});

test('an empty replacement deletes: its constant is zero bytes', () => {
  assert.equal(parseReplacement('', NO_GROUPS).constant?.length, 0);
});

test('group references are parsed into group parts between literal text', () => {
  const r = parseReplacement(String.raw`\1[PASSWORD]\2`, { groupCount: 2, groupNames: [] });
  assert.equal(r.constant, undefined);
  assert.deepEqual(
    r.parts.map((p) => (p.kind === 'literal' ? p.text : p.kind === 'group' ? p.group : p.name)),
    [1, '[PASSWORD]', 2],
  );
});

test('escapes \\\\ \\n \\r \\t \\a \\b \\f \\v become the characters Python gives them', () => {
  const r = parseReplacement(String.raw`\\\n\r\t\a\b\f\v`, NO_GROUPS);
  assert.equal(r.constant?.toString('utf8'), '\\\n\r\t\x07\b\f\v');
});

test('a reference to a group the pattern does not have is refused with the counts in the message', () => {
  assert.equal(problem(String.raw`\1[x]\3`, 2), 'replace refers to group \\3 but match has 2 groups');
  assert.equal(problem(String.raw`\1`, 0), 'replace refers to group \\1 but match has 0 groups');
  assert.equal(problem(String.raw`\g<2>`, 1), 'replace refers to group \\g<2> but match has 1 group');
});

test('\\10 with one group is refused with a hint to write \\g<1>0', () => {
  let caught: unknown;
  try {
    parseReplacement(String.raw`\10`, { groupCount: 1, groupNames: [] });
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof ReplacementSyntaxError);
  assert.match(caught.message, /group \\10 but match has 1 group$/);
  assert.match(caught.hint, /\\g<1>0/);
  assert.equal(caught.position, 0);
});

test('an unknown group name is refused and the hint lists the names that exist', () => {
  const p = describeReplacementProblem(String.raw`\g<pass>`, { groupCount: 1, groupNames: ['user'] });
  assert.equal(p?.message, 'replace refers to group \\g<pass> but match has no group named "pass"');
  assert.match(p?.hint ?? '', /user/);
});

test('malformed escapes are refused with a message saying what is wrong', () => {
  assert.match(problem('abc\\') ?? '', /lone backslash/);
  assert.match(problem(String.raw`\q`) ?? '', /bad escape \\q/);
  assert.match(problem(String.raw`\x41`) ?? '', /bad escape \\x/);
  assert.match(problem(String.raw`\g1`) ?? '', /not followed by </);
  assert.match(problem(String.raw`\g<1`, 1) ?? '', /no closing >/);
  assert.match(problem(String.raw`\g<>`) ?? '', /names no group/);
  assert.match(problem(String.raw`\g<a-b>`) ?? '', /bad character in group name/);
  assert.match(problem(String.raw`\477`, 50) ?? '', /octal escape/);
});

test('valid replacements have no problem', () => {
  assert.equal(problem(String.raw`\1[REDACTED]`, 1), undefined);
  assert.equal(problem(String.raw`\g<user>:\g<0>`, 1, ['user']), undefined);
  assert.equal(problem('$1 and $&', 0), undefined);
});

test('property: text without backslashes always parses to exactly that text', () => {
  fc.assert(
    fc.property(
      fc.string({ unit: 'grapheme' }).filter((s) => !s.includes('\\')),
      (s) => {
        assert.equal(
          parseReplacement(s, NO_GROUPS).constant?.toString('utf8'),
          Buffer.from(s).toString('utf8'),
        );
      },
    ),
  );
});

test('property: parsing any string either succeeds or throws ReplacementSyntaxError, never anything else', () => {
  fc.assert(
    fc.property(
      fc.string({ unit: fc.constantFrom('\\', 'g', '<', '>', '1', '0', '9', 'n', 'x', 'a', '$', '-') }),
      (s) => {
        try {
          parseReplacement(s, { groupCount: 3, groupNames: ['a'] });
        } catch (err) {
          assert.ok(err instanceof ReplacementSyntaxError, String(err));
          assert.ok(err.hint.length > 0);
        }
      },
    ),
  );
});
