import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEmailDetector } from '../../../../../src/content/pii/detectors/email.js';

const email = createEmailDetector();
const values = (text: string): string[] => email.detect(text).map((f) => text.slice(f.start, f.end));

test('addresses in prose, JSON and mailto links are detected', () => {
  assert.deepEqual(values('Summarize: email john@example.com please'), ['john@example.com']);
  assert.deepEqual(values('{"to":"first.last+tag@mail.example.co.uk"}'), [
    'first.last+tag@mail.example.co.uk',
  ]);
  assert.deepEqual(values('<a href="mailto:UtaKortig@jourrapide.com">'), ['UtaKortig@jourrapide.com']);
});

test('sentence punctuation around an address is not part of it', () => {
  assert.deepEqual(values('Write to (jane_doe@example.org).'), ['jane_doe@example.org']);
  assert.deepEqual(values('...jane@example.org, bob@example.net;'), ['jane@example.org', 'bob@example.net']);
});

test('internationalised addresses are detected', () => {
  assert.deepEqual(values('kontakt: jürgen@beispiel.de'), ['jürgen@beispiel.de']);
});

test('things with an @ that are not addresses are ignored', () => {
  assert.deepEqual(values('@mention and user@localhost and a@b.c and @@'), []);
  assert.deepEqual(values('decorator @Component() and price 5@3.50'), []);
  assert.deepEqual(values('git@-bad-.com'), []);
});

test('the password in a URL is a credential, not an address', () => {
  assert.deepEqual(values('postgres://admin:hunter2@db.example.com/app'), []);
});

test('a query string does not glue its parameter name onto the address', () => {
  assert.deepEqual(values('https://x.test/?email=ann@example.com&x=1'), ['ann@example.com']);
});

test('a megabyte of @ or of address characters finishes and finds nothing', () => {
  assert.deepEqual(email.detect('@'.repeat(1 << 20)), []);
  assert.deepEqual(email.detect('a@'.repeat(1 << 19)), []);
  assert.deepEqual(email.detect('a'.repeat(1 << 20) + '@example.com'), []);
});
