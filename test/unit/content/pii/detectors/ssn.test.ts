import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSsnDetector, isValidSsnParts } from '../../../../../src/content/pii/detectors/ssn.js';

const ssn = createSsnDetector();
const values = (text: string): string[] => ssn.detect(text).map((f) => text.slice(f.start, f.end));

test('the seed example 123-45-6789 is detected, even though it is a well-known test number', () => {
  assert.deepEqual(values('Summarize this customer record: John Smith, SSN 123-45-6789, email'), [
    '123-45-6789',
  ]);
});

test('SSNs written with dashes or spaces are detected without any context word', () => {
  assert.deepEqual(values('ids 460-89-9847 and 514 69 0360.'), ['460-89-9847', '514 69 0360']);
});

test('nine digits in a row count as an SSN only after a word such as "SSN" or "social security"', () => {
  assert.deepEqual(values('order 460899847 shipped'), []);
  assert.deepEqual(values('SSN: 460899847'), ['460899847']);
  assert.deepEqual(values('my social security number is 460899847'), ['460899847']);
});

test('numbers that were never issued as SSNs are rejected: area 000, 666, 9xx; group 00; serial 0000', () => {
  for (const bad of [
    '000-12-3456',
    '666-12-3456',
    '900-12-3456',
    '999-12-3456',
    '123-00-4567',
    '123-45-0000',
  ]) {
    assert.deepEqual(values(`SSN ${bad}`), [], bad);
  }
  assert.equal(isValidSsnParts('665', '01', '0001'), true);
  assert.equal(isValidSsnParts('899', '99', '9999'), true);
});

test('mixed separators and pieces of longer numbers are not SSNs', () => {
  assert.deepEqual(values('123-45 6789'), []);
  assert.deepEqual(values('1123-45-6789'), []);
  assert.deepEqual(values('123-45-67890'), []);
  assert.deepEqual(values('12-123-45-6789'), []);
  assert.deepEqual(values('123-45-6789-01'), []);
  assert.deepEqual(values('ref A123-45-6789'), []);
  assert.deepEqual(values('SSN 12345678901'), []);
});

test('findings carry type, detector and a score, and are in text order', () => {
  const text = 'a 111-22-3333 b 222-33-4444';
  const found = ssn.detect(text);
  assert.deepEqual(
    found.map((f) => [f.type, f.detector, f.start]),
    [
      ['ssn', 'ssn', 2],
      ['ssn', 'ssn', 16],
    ],
  );
  assert.ok(found.every((f) => f.score > 0 && f.score <= 1));
});

test('100,000 digits and other number soup finish and find nothing', () => {
  assert.deepEqual(ssn.detect('7'.repeat(100_000)), []);
  assert.deepEqual(ssn.detect('12-'.repeat(50_000)), []);
});
