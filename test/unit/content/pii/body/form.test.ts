import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redactForm } from '../../../../../src/content/pii/body/form.js';
import { PiiSession } from '../../../../../src/content/pii/session.js';
import type { PiiType } from '../../../../../src/policy/pii-types.js';
import { ALL_TEST_TYPES, createTestScanner } from '../helpers/test-scanner.js';

function redact(text: string) {
  const session = new PiiSession();
  const tally = new Map<PiiType, number>();
  const out = redactForm(text, { scanner: createTestScanner(), types: ALL_TEST_TYPES, session, tally });
  const enc = (t: string) => `%5B${t.slice(1, -1)}%5D`;
  return { out, tally, token: (type: PiiType, v: string) => enc(session.tokenFor(type, v)) };
}

test('percent-encoded PII is found and replaced by a percent-encoded token', () => {
  const { out, token } = redact('email=john%40example.com&x=1');
  assert.equal(out, `email=${token('email', 'john@example.com')}&x=1`);
  assert.equal(
    new URLSearchParams(out).get('email'),
    token('email', 'john@example.com').replace('%5B', '[').replace('%5D', ']'),
  );
});

test('everything around a finding keeps its exact original encoding', () => {
  const { out, token } = redact('msg=caf%C3%A9+ssn%3A+123-45-6789+%7E%zz&empty=&flag');
  assert.equal(out, `msg=caf%C3%A9+ssn%3A+${token('ssn', '123-45-6789')}+%7E%zz&empty=&flag`);
});

test('PII in field names and spread over percent escapes is found', () => {
  const { out, token } = redact(`a%40b.io=1&v=%34%31${'1'.repeat(13)}%31&w=2`);
  assert.equal(out, `${token('email', 'a@b.io')}=1&v=${token('credit_card', '4111111111111111')}&w=2`);
});

test('invalid UTF-8 in percent escapes is read byte by byte and left as it was', () => {
  const { out, token, tally } = redact('n=%FF%FE&e=x%40y.io');
  assert.equal(out, `n=%FF%FE&e=${token('email', 'x@y.io')}`);
  assert.equal(tally.get('email'), 1);
});
