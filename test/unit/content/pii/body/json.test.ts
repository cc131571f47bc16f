import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redactJson } from '../../../../../src/content/pii/body/json.js';
import { PiiSession } from '../../../../../src/content/pii/session.js';
import type { PiiType } from '../../../../../src/policy/pii-types.js';
import { ALL_TEST_TYPES, createTestScanner } from '../helpers/test-scanner.js';

function redact(text: string, sequence = false, session = new PiiSession()) {
  const tally = new Map<PiiType, number>();
  const out = redactJson(text, sequence, {
    scanner: createTestScanner(),
    types: ALL_TEST_TYPES,
    session,
    tally,
  });
  return { out, tally, session };
}

test('PII in string values is replaced in place and every other byte is kept', () => {
  const input = '{\n  "note" :  "ssn 123-45-6789, ok",\n\t"n": 1.50 }';
  const { out, session } = redact(input);
  const token = session.tokenFor('ssn', '123-45-6789');
  assert.equal(out, `{\n  "note" :  "ssn ${token}, ok",\n\t"n": 1.50 }`);
});

test('a card stored as a JSON number becomes a JSON string holding the token', () => {
  const { out, session } = redact('{"card":4111111111111111,"qty":2}');
  assert.equal(out, `{"card":"${session.tokenFor('credit_card', '4111111111111111')}","qty":2}`);
  assert.deepEqual(JSON.parse(out!), { card: session.tokenFor('credit_card', '4111111111111111'), qty: 2 });
});

test('keys that contain PII are redacted too', () => {
  const { out, session } = redact('{"john@example.com": {"a": 1}}');
  assert.equal(out, `{"${session.tokenFor('email', 'john@example.com')}": {"a": 1}}`);
});

test('escaped strings are decoded before scanning, so \\u0040 and \\n do not hide or distort PII', () => {
  const { out, session } = redact('["john\\u0040example.com", "line\\njane@example.com"]');
  const parsed = JSON.parse(out!) as string[];
  assert.deepEqual(parsed, [
    session.tokenFor('email', 'john@example.com'),
    `line\n${session.tokenFor('email', 'jane@example.com')}`,
  ]);
});

test('counts are collected even when nothing is rewritten (no session: block and log_only)', () => {
  const tally = new Map<PiiType, number>();
  const input = '{"a":"123-45-6789 987-65-4321","b":"x@y.io"}';
  const out = redactJson(input, false, {
    scanner: createTestScanner(),
    types: ALL_TEST_TYPES,
    session: undefined,
    tally,
  });
  assert.equal(out, input);
  assert.deepEqual(Object.fromEntries(tally), { ssn: 2, email: 1 });
});

test('invalid JSON is refused (undefined), valid JSON without PII comes back as the same string', () => {
  assert.equal(redact('{"a": 123-45-6789}').out, undefined);
  const clean = '{"a": [1, 2, "three"]}';
  assert.equal(redact(clean).out, clean);
});

test('a data URL payload is not scanned, its prefix is', () => {
  const payload = 'A'.repeat(100) + '4111111111111111' + 'B'.repeat(10);
  const input = JSON.stringify({ image: `data:image/png;base64,${payload}` });
  assert.equal(redact(input).out, input);
});

test('NDJSON lines are each redacted and stay one JSON value per line', () => {
  const { out } = redact('{"a":"123-45-6789"}\n{"b":4111111111111111}\n', true);
  const lines = out!.trimEnd().split('\n');
  assert.equal(lines.length, 2);
  for (const line of lines) JSON.parse(line);
  assert.doesNotMatch(out!, /123-45-6789|4111111111111111/);
});
