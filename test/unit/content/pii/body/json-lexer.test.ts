import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lexJson, LiteralKind } from '../../../../../src/content/pii/body/json-lexer.js';

function literals(text: string, sequence = false): Array<[string, number]> | undefined {
  const lexed = lexJson(text, sequence);
  if (lexed === undefined) return undefined;
  return lexed.starts.map((s, i) => [text.slice(s, lexed.ends[i]), lexed.kinds[i]!]);
}

test('string keys, string values and numbers are found with their raw extent', () => {
  assert.deepEqual(literals('{"a": [1, -2.5e3, "x\\"y", true, null, false], "b\\n": {}}'), [
    ['"a"', LiteralKind.String],
    ['1', LiteralKind.Number],
    ['-2.5e3', LiteralKind.Number],
    ['"x\\"y"', LiteralKind.EscapedString],
    ['"b\\n"', LiteralKind.EscapedString],
  ]);
});

test('a string ending in an escaped backslash closes at its quote', () => {
  assert.deepEqual(literals('["a\\\\", "b"]'), [
    ['"a\\\\"', LiteralKind.EscapedString],
    ['"b"', LiteralKind.String],
  ]);
});

test('texts that are not JSON are refused so the caller can scan them as text', () => {
  for (const bad of [
    '',
    ' ',
    '{',
    '{"a"}',
    '{"a":1,}',
    '[1,]',
    '[1 2]',
    '{"a":1}}',
    'hello',
    '"open',
    '{} {}',
    '[01]',
    '{a:1}',
  ]) {
    assert.equal(lexJson(bad), undefined, bad);
  }
});

test('sequence mode accepts NDJSON and JSON text sequences', () => {
  assert.deepEqual(literals('{"a":1}\n{"b":2}\n', true)?.length, 4);
  assert.deepEqual(literals('\u001e{"a":1}\n\u001e["x"]\n', true)?.length, 3);
  assert.equal(lexJson('{"a":1}\n{"b":', true), undefined);
});

test('100,000 levels of nesting are lexed without recursion', () => {
  const deep = '['.repeat(100_000) + '"x"' + ']'.repeat(100_000);
  assert.deepEqual(literals(deep), [['"x"', LiteralKind.String]]);
  assert.equal(lexJson('['.repeat(100_000)), undefined);
});

test('a leading byte order mark is tolerated', () => {
  assert.deepEqual(literals('\ufeff{"a":"b"}')?.length, 2);
});
