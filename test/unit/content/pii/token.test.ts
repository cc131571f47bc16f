import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  couldStartToken,
  formatToken,
  MAX_TOKEN_PREFIX_LENGTH,
  parseToken,
  tokenPattern,
} from '../../../../src/content/pii/token.js';

test('a token is written as [TYPE_xxxxxx] with the type upper-cased as in seed 001', () => {
  assert.equal(formatToken('credit_card', '9f2a3b'), '[CREDIT_CARD_9f2a3b]');
  assert.equal(formatToken('phone_number', '000000'), '[PHONE_NUMBER_000000]');
});

test('parseToken reads literal and percent-encoded tokens and rejects look-alikes', () => {
  assert.deepEqual(parseToken('[CREDIT_CARD_9f2a3b]'), {
    type: 'credit_card',
    hex: '9f2a3b',
    canonical: '[CREDIT_CARD_9f2a3b]',
    encoded: false,
  });
  assert.equal(parseToken('%5bSSN_0a1b2c%5D')?.canonical, '[SSN_0a1b2c]');
  assert.equal(parseToken('%5bSSN_0a1b2c%5D')?.encoded, true);
  for (const bad of [
    '[SSN_0A1B2C]',
    '[SSN_0a1b2]',
    '[FOO_0a1b2c]',
    '[SSN0a1b2c]',
    'SSN_0a1b2c',
    '[SSN_0a1b2cd]',
  ]) {
    assert.equal(parseToken(bad), undefined, bad);
  }
});

test('tokenPattern finds every token in a text, encoded ones only when asked', () => {
  const text = 'a [SSN_0a1b2c] b %5BEMAIL_ffffff%5D c [NOPE_000000] [API_KEY_123456]';
  assert.deepEqual(text.match(tokenPattern(false)), ['[SSN_0a1b2c]', '[API_KEY_123456]']);
  assert.deepEqual(text.match(tokenPattern(true)), [
    '[SSN_0a1b2c]',
    '%5BEMAIL_ffffff%5D',
    '[API_KEY_123456]',
  ]);
});

test('couldStartToken accepts exactly the unfinished beginnings of a token', () => {
  const token = '[CREDIT_CARD_9f2a3b]';
  for (let i = 1; i < token.length; i++)
    assert.equal(couldStartToken(token.slice(0, i)), true, token.slice(0, i));
  assert.equal(couldStartToken(token), false, 'a complete token is no longer a beginning');
  const encoded = '%5BPHONE_NUMBER_0a1b2c%5D';
  for (let i = 1; i < encoded.length; i++)
    assert.equal(couldStartToken(encoded.slice(0, i)), true, encoded.slice(0, i));
  for (const no of [
    '[C]',
    '[cr',
    '[CREDIT_CARDS',
    '[CREDIT_CARD_9F',
    '[SSN_0a1b2c3',
    '%6',
    '%5C',
    '[SSN_0a1b2c%',
    'x[',
    '',
  ]) {
    assert.equal(couldStartToken(no), false, no);
  }
});

test('no beginning of a token is longer than MAX_TOKEN_PREFIX_LENGTH', () => {
  // DRIVERS_LICENSE is the longest type prefix.
  assert.equal(couldStartToken('%5BDRIVERS_LICENSE_0a1b2c%5'), true);
  assert.equal('%5BDRIVERS_LICENSE_0a1b2c%5'.length, MAX_TOKEN_PREFIX_LENGTH);
  assert.equal(couldStartToken('%5BDRIVERS_LICENSE_0a1b2c%5D'), false);
});
