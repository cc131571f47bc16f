import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cardBrand, createCreditCardDetector } from '../../../../../src/content/pii/detectors/credit-card.js';
import { luhnValid } from '../../../../../src/content/pii/detectors/text-scan.js';

const cards = createCreditCardDetector();
const values = (text: string): string[] => cards.detect(text).map((f) => text.slice(f.start, f.end));

test('the seed examples are detected: plain digits and groups of four', () => {
  assert.deepEqual(values('Please charge 4111111111111111 for $50'), ['4111111111111111']);
  assert.deepEqual(values('card 4111 1111 1111 1111 ok'), ['4111 1111 1111 1111']);
  assert.deepEqual(values('card 4111-1111-1111-1111.'), ['4111-1111-1111-1111']);
});

test('major brands and lengths are recognised', () => {
  const numbers: Record<string, string> = {
    visa13: '4222222222222',
    visa19: '4111111111111111003',
    mastercard: '5555555555554444',
    mastercard2: '2223003122003222',
    amex: '378282246310005',
    amexGrouped: '3782 822463 10005',
    discover: '6011111111111117',
    diners: '30569309025904',
    jcb: '3530111333300000',
    unionpay: '6200000000000005',
  };
  for (const [name, n] of Object.entries(numbers)) assert.deepEqual(values(`pay with ${n} now`), [n], name);
  assert.equal(cardBrand('378282246310005'), 'amex');
  assert.equal(cardBrand('5555555555554444'), 'mastercard');
});

test('a number failing the Luhn check is not a card', () => {
  assert.equal(luhnValid('4111111111111112'), false);
  assert.deepEqual(values('charge 4111111111111112 now'), []);
  assert.deepEqual(values('charge 4111 1111 1111 1112 now'), []);
});

test('Luhn-valid numbers without a card brand prefix or with a wrong length are not cards', () => {
  assert.equal(luhnValid('1234567812345670'), true);
  assert.deepEqual(values('id 1234567812345670'), []);
  // A 16-digit Amex-prefixed number: Amex cards have 15 digits.
  assert.equal(luhnValid('3782822463100052'), true);
  assert.deepEqual(values('id 3782822463100052'), []);
});

test('12-digit Maestro numbers need a card word nearby', () => {
  assert.equal(luhnValid('501864667909'), true);
  assert.deepEqual(values('order 501864667909 shipped'), []);
  assert.deepEqual(values('What is the limit for card 501864667909?'), ['501864667909']);
});

test('mixed separators, pieces of longer numbers and decimals are not cards', () => {
  assert.deepEqual(values('4111-1111 1111-1111'), []);
  assert.deepEqual(values('x4111111111111111'), []);
  assert.deepEqual(values('41111111111111110000000'), []);
  assert.deepEqual(values('3.4111111111111111'), []);
});

test('two cards in a row separated by a space are both found', () => {
  assert.deepEqual(values('4111 1111 1111 1111 5555 5555 5555 4444'), [
    '4111 1111 1111 1111',
    '5555 5555 5555 4444',
  ]);
});

test('100,000 digits and long runs of single-digit groups finish and find nothing', () => {
  assert.deepEqual(cards.detect('7'.repeat(100_000)), []);
  assert.deepEqual(cards.detect('1 '.repeat(100_000)), []);
});

test('digits grouped in ones and twos are not a card even when they add up to a valid number', () => {
  assert.deepEqual(values('4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1'), []);
  assert.deepEqual(values('41-11-11-11-11-11-11-11'), []);
});
