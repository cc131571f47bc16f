import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeText, encodeText, looksBinary } from '../../../../../src/content/pii/body/decode.js';

test('valid UTF-8 is read as UTF-8 and written back identically', () => {
  const bytes = Buffer.from('café ☕ 😀');
  const d = decodeText(bytes)!;
  assert.equal(d.encoding, 'utf8');
  assert.equal(d.text, 'café ☕ 😀');
  assert.deepEqual(encodeText(d.text, d.encoding), bytes);
});

test('invalid UTF-8 is read one character per byte, so it round-trips byte for byte', () => {
  const bytes = Buffer.from([0x61, 0xff, 0xc3, 0x28, 0x62, 0xe2, 0x82]);
  const d = decodeText(bytes)!;
  assert.equal(d.encoding, 'latin1');
  assert.deepEqual(encodeText(d.text, d.encoding), bytes);
});

test('declared single-byte charsets are read as latin1; charsets that are not ASCII-compatible are refused', () => {
  assert.equal(decodeText(Buffer.from('abc'), 'iso-8859-1')?.encoding, 'latin1');
  assert.equal(decodeText(Buffer.from('abc'), 'utf-16le'), undefined);
});

test('NUL bytes or many control characters make an undeclared body binary; text does not', () => {
  assert.equal(looksBinary(Buffer.from('plain text\r\n\twith tabs')), false);
  assert.equal(looksBinary(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00])), true);
  assert.equal(looksBinary(Buffer.from('ab\u0001\u0002\u0003\u0004')), true);
  assert.equal(looksBinary(Buffer.from([0x63, 0x61, 0x66, 0xe9])), false, 'latin1 text is text');
});
