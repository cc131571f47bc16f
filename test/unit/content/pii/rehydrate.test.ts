import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  contextForContentType,
  escapeValue,
  rehydrateText,
  rewriteTokens,
} from '../../../../src/content/pii/rehydrate.js';
import { PiiSession } from '../../../../src/content/pii/session.js';

test('issued tokens are replaced by their values; unknown token-shaped strings pass untouched', () => {
  const session = new PiiSession();
  const card = session.tokenFor('credit_card', '4111111111111111');
  const other = new PiiSession().tokenFor('credit_card', '4111111111111111');
  const text = `charge ${card} not ${other === card ? '[CREDIT_CARD_zzzzzz]' : other} or [SSN_000000]`;
  assert.equal(
    rehydrateText(text, session),
    `charge 4111111111111111 not ${other === card ? '[CREDIT_CARD_zzzzzz]' : other} or [SSN_000000]`,
  );
});

test('inside JSON a value is JSON-escaped, so the document stays valid', () => {
  const session = new PiiSession();
  const token = session.tokenFor('api_key', 'ab"c\\d\ne');
  const doc = JSON.stringify({ reply: `your key is ${token}` });
  const back = rehydrateText(doc, session, 'json');
  assert.deepEqual(JSON.parse(back), { reply: 'your key is ab"c\\d\ne' });
});

test('in form context and for percent-encoded tokens the value is percent-encoded', () => {
  const session = new PiiSession();
  const token = session.tokenFor('email', 'john doe@example.com');
  const encoded = `%5B${token.slice(1, -1)}%5D`;
  assert.equal(rehydrateText(`to=${token}`, session, 'form'), 'to=john+doe%40example.com');
  assert.equal(
    rehydrateText(`{"raw":"to=${encoded}"}`, session, 'json'),
    '{"raw":"to=john+doe%40example.com"}',
  );
  assert.equal(
    new URLSearchParams(rehydrateText(`to=${encoded}`, session, 'form')).get('to'),
    'john doe@example.com',
  );
});

test('escapeValue writes text as is', () => {
  assert.equal(escapeValue('a "b" c', 'text', false), 'a "b" c');
});

test('rewriteTokens can hold back a tail that could still become a token', () => {
  const session = new PiiSession();
  const token = session.tokenFor('ssn', '123-45-6789');
  assert.deepEqual(rewriteTokens(`x ${token} y [SS`, session, 'text', true), {
    text: 'x 123-45-6789 y ',
    held: '[SS',
    replaced: 1,
  });
  assert.deepEqual(rewriteTokens('x [ y', session, 'text', true), { text: 'x [ y', held: '', replaced: 0 });
});

test('nothing is replaced when the session issued no tokens or was destroyed', () => {
  const session = new PiiSession();
  const token = session.tokenFor('ssn', '123-45-6789');
  session.destroy();
  assert.equal(rehydrateText(`a ${token}`, session), `a ${token}`);
});

test('the rehydration context follows the response content type', () => {
  assert.equal(contextForContentType('application/json'), 'json');
  assert.equal(contextForContentType('application/x-ndjson'), 'json');
  assert.equal(contextForContentType('application/x-www-form-urlencoded'), 'form');
  assert.equal(contextForContentType('text/html'), 'text');
  assert.equal(contextForContentType(undefined), 'text');
});

test('percent-encoded tokens are restored whatever the case of their %5b/%5D escapes, alone or among others', () => {
  const session = new PiiSession();
  const token = session.tokenFor('email', 'ana@example.com');
  const inner = token.slice(1, -1);
  for (const spelled of [`%5b${inner}%5d`, `%5B${inner}%5d`, `%5b${inner}%5D`]) {
    assert.equal(rehydrateText(`to=${spelled}&x=1`, session, 'form'), 'to=ana%40example.com&x=1');
    assert.equal(rehydrateText(`[note] ${spelled} [ok]`, session), '[note] ana%40example.com [ok]');
  }
});
