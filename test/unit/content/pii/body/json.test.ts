import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redactJson } from '../../../../../src/content/pii/body/json.js';
import { createPiiScanner } from '../../../../../src/content/pii/scanner.js';
import { PiiSession } from '../../../../../src/content/pii/session.js';
import type { PiiType } from '../../../../../src/policy/pii-types.js';
import { ALL_TEST_TYPES, createGreedyScanner, createTestScanner } from '../helpers/test-scanner.js';

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

test('a generic secret under a password or api_key key is found and only the value is replaced', () => {
  const session = new PiiSession();
  const text = JSON.stringify({
    user: 'ana',
    password: 'hunter2-Zq8vX3mK9pL',
    config: { api_key: 'k7Rw2PzLq9Xv4TmB8sNe', retries: 3 },
    note: 'nothing secret here',
  });
  const out = redactJson(text, false, {
    scanner: createPiiScanner(),
    types: new Set<PiiType>(['api_key']),
    session,
    tally: new Map(),
  });
  assert.deepEqual(JSON.parse(out!), {
    user: 'ana',
    password: session.tokenFor('api_key', 'hunter2-Zq8vX3mK9pL'),
    config: { api_key: session.tokenFor('api_key', 'k7Rw2PzLq9Xv4TmB8sNe'), retries: 3 },
    note: 'nothing secret here',
  });
});

test('a JWT value followed by more members is found, also inside an escaped string', () => {
  const jwt =
    'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
  const session = new PiiSession();
  const text = `{"a": "x", "jwt": "${jwt}", "log": "line 1\\nBearer-less ${jwt}\\n", "b": "y"}`;
  const out = redactJson(text, false, {
    scanner: createPiiScanner(),
    types: new Set<PiiType>(['api_key']),
    session,
    tally: new Map(),
  });
  const token = session.tokenFor('api_key', jwt);
  assert.deepEqual(JSON.parse(out!), { a: 'x', jwt: token, log: `line 1\nBearer-less ${token}\n`, b: 'y' });
});

test('the whole body is scanned in one call, escaped strings included, when no finding crosses a quote', () => {
  const scanner = createTestScanner();
  const text = '{"a": "ssn 123-45-6789", "b": ["x\\u0040y.io", 4111111111111111], "c": "a@b.io"}';
  const tally = new Map<PiiType, number>();
  redactJson(text, false, { scanner, types: ALL_TEST_TYPES, session: new PiiSession(), tally });
  assert.equal(scanner.calls, 1);
  assert.deepEqual([...tally].sort(), [
    ['credit_card', 1],
    ['email', 2],
    ['ssn', 1],
  ]);
});

test('a finding that runs across quotes and commas is dropped and the literals it touches are rescanned alone', () => {
  // A greedy scanner that matches digits, quotes, commas and spaces: it melts neighbouring literals.
  const greedy = createGreedyScanner(/[\d", -]{7,}/);
  const session = new PiiSession();
  const out = redactJson('["call 555", "1234567", "x"]', false, {
    scanner: greedy,
    types: new Set<PiiType>(['phone_number']),
    session,
    tally: new Map(),
  });
  assert.equal(out, `["call 555", "${session.tokenFor('phone_number', '1234567')}", "x"]`);
});
