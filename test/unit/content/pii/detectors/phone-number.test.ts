import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError } from '../../../../../src/errors.js';
import { createPhoneNumberDetector } from '../../../../../src/content/pii/detectors/phone-number.js';
import {
  hasPhoneContext,
  looksLikeOtherNumber,
} from '../../../../../src/content/pii/detectors/phone-context.js';

const us = createPhoneNumberDetector();
const values = (text: string, detector = us): string[] =>
  detector.detect(text).map((f) => text.slice(f.start, f.end));

test('US numbers in the usual national formats are detected without any context', () => {
  assert.deepEqual(values('Reach (212) 555-0187 today'), ['(212) 555-0187']);
  assert.deepEqual(values('or 415-555-0132 or 303.555.0144.'), ['415-555-0132', '303.555.0144']);
  assert.deepEqual(values('tel 1-646-555-0199'), ['1-646-555-0199']);
});

test('E.164 and other international numbers are detected whatever the configured region', () => {
  assert.deepEqual(values('+1-555-867-5309 is the seed example'), ['+1-555-867-5309']);
  assert.deepEqual(values('ring +14155550132 now'), ['+14155550132']);
  assert.deepEqual(values('London office +44 20 7946 0958.'), ['+44 20 7946 0958']);
  assert.deepEqual(values('Zürich +41 44 668 18 00'), ['+41 44 668 18 00']);
});

test('an extension is part of the number', () => {
  assert.deepEqual(values('Desk: 212-555-0187x4587'), ['212-555-0187x4587']);
  assert.deepEqual(values('Desk: (212) 555-0187 ext. 12, thanks'), ['(212) 555-0187 ext. 12']);
});

test('national formats of other regions need the region configured, or a phone word nearby', () => {
  const text = 'see 020 7946 0958 for details';
  assert.deepEqual(values(text), []);
  assert.deepEqual(values(text, createPhoneNumberDetector({ regions: ['US', 'GB'] })), ['020 7946 0958']);
  assert.deepEqual(values('Phone: 020 7946 0958'), ['020 7946 0958']);
});

test('phone-shaped numbers next to a phone word are detected in any national format', () => {
  assert.deepEqual(values('Personal Info:\nPhone:\n60-56-85-91\n'), ['60-56-85-91']);
  assert.deepEqual(values('Can someone call me on 9472 7916? thanks'), ['9472 7916']);
  assert.deepEqual(values('Mobile: 03.93.92.16.85\nDesk: +41 (0)96 471 07 95'), [
    '03.93.92.16.85',
    '+41 (0)96 471 07 95',
  ]);
  assert.deepEqual(values('416 60 039 office\n(37) 788-063-Office'), ['416 60 039', '(37) 788-063']);
  assert.deepEqual(values('Fax: 9498777106'), ['9498777106']);
  assert.deepEqual(values('my number is 0490 75 40 81.'), ['0490 75 40 81']);
  assert.deepEqual(values('the number 0490 75 40 81'), []);
});

test('bare digit strings without a phone word are not phones (IDs, timestamps in JSON)', () => {
  assert.deepEqual(values('{"id": 5403926876, "created": 1712345678, "ref": "4673395"}'), []);
});

test('a phone word does not make an order, account or postal number a phone', () => {
  assert.deepEqual(values('call me about my account 12345678'), []);
  assert.deepEqual(values('Phone order id 7788123'), []);
  assert.equal(hasPhoneContext('The office is at 17031 2202 Rissik St', 17, 27), false);
});

test('dates, times, IP addresses and house numbers are not phones', () => {
  assert.deepEqual(values('Date: 1978-04-13 12:20:39\nborn 13/04/1978'), []);
  assert.deepEqual(values('Phone: see 192.168.100.200'), []);
  assert.deepEqual(values('Billing address:\n    03262 2437 Main St Suite 442'), []);
});

test('with more regions configured, house numbers and postal codes that validate are still not phones', () => {
  const many = createPhoneNumberDetector({ regions: ['US', 'GB', 'DE', 'FR', 'AU'] });
  assert.deepEqual(values('The restaurant is at 17151 2450 Crown St', many), []);
  assert.deepEqual(values('Mrs. Barbara Yudina Apt. 675 62314 Mellemvej 32', many), []);
  assert.deepEqual(values('ZIP: 75534-030', many), []);
  assert.equal(looksLikeOtherNumber('my driver license number is 2270-66-1551', 28, 40), true);
  assert.equal(looksLikeOtherNumber('call 2270-66-1551', 5, 17), false);
});

test('numbers separated by single spaces are split into separate phones', () => {
  assert.deepEqual(values('Phones: 212-555-0187 415-555-0132 303-555-0144'), [
    '212-555-0187',
    '415-555-0132',
    '303-555-0144',
  ]);
});

test('detectAvoiding never reports a phone across a span another type claimed', () => {
  const text = 'card 4111 1111 1111 1111 phone 212-555-0187';
  const card = { start: 5, end: 24 };
  assert.deepEqual(
    us.detectAvoiding(text, [card]).map((f) => text.slice(f.start, f.end)),
    ['212-555-0187'],
  );
});

test('unknown or empty region lists are refused with an error that says what to pass', () => {
  assert.throws(
    () => createPhoneNumberDetector({ regions: ['XX'] }),
    (e: unknown) => {
      assert.ok(e instanceof InvalidArgumentError);
      assert.match(e.message, /phoneRegions: "XX" is not a region/);
      assert.match(e.message, /ISO 3166/);
      return true;
    },
  );
  assert.throws(() => createPhoneNumberDetector({ regions: [] }), InvalidArgumentError);
  assert.deepEqual(createPhoneNumberDetector({ regions: ['gb', 'GB', 'us'] }).regions, ['GB', 'US']);
});

test('pathological digit soup finishes and returns in-range findings', () => {
  for (const text of [
    '7'.repeat(100_000),
    '1 '.repeat(100_000),
    '(1'.repeat(100_000),
    '+1 '.repeat(50_000),
  ]) {
    for (const f of us.detect(text)) assert.ok(f.start >= 0 && f.end <= text.length && f.start < f.end);
  }
});
