import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import {
  BodyDecodeError,
  decodeBody,
  decodingStream,
  parseContentEncoding,
  readBody,
} from '../../../../src/proxy/http/body-codec.js';

const TEXT = Buffer.from('{"note":"SSN 123-45-6789"}'.repeat(20));

test('gzip, deflate (wrapped and raw), br and stacked codings decode to the original', () => {
  assert.deepEqual(decodeBody(zlib.gzipSync(TEXT), ['gzip'], 1 << 20), TEXT);
  assert.deepEqual(decodeBody(zlib.deflateSync(TEXT), ['deflate'], 1 << 20), TEXT);
  assert.deepEqual(decodeBody(zlib.deflateRawSync(TEXT), ['deflate'], 1 << 20), TEXT);
  assert.deepEqual(decodeBody(zlib.brotliCompressSync(TEXT), ['br'], 1 << 20), TEXT);
  const stacked = zlib.brotliCompressSync(zlib.gzipSync(TEXT));
  assert.deepEqual(decodeBody(stacked, parseContentEncoding('gzip, br'), 1 << 20), TEXT);
});

test('a decompression bomb stops at the limit instead of filling memory', () => {
  const bomb = zlib.gzipSync(Buffer.alloc(8 << 20));
  assert.ok(bomb.length < 64 * 1024);
  assert.throws(
    () => decodeBody(bomb, ['gzip'], 1 << 20),
    (e: unknown) => e instanceof BodyDecodeError && e.reason === 'too_large',
  );
});

test('unknown codings and corrupt data are refused, not passed on', () => {
  assert.throws(
    () => decodeBody(TEXT, ['zstd'], 1 << 20),
    (e: unknown) => e instanceof BodyDecodeError && e.reason === 'unsupported_encoding',
  );
  assert.throws(
    () => decodeBody(TEXT, ['gzip'], 1 << 20),
    (e: unknown) => e instanceof BodyDecodeError && e.reason === 'corrupt',
  );
  assert.deepEqual(parseContentEncoding('identity'), []);
});

test('streamed decoding yields the same bytes', async () => {
  const out: Buffer[] = [];
  for await (const c of decodingStream(Readable.from([zlib.gzipSync(TEXT)]), ['gzip'])) out.push(c as Buffer);
  assert.deepEqual(Buffer.concat(out), TEXT);
});

test('reading a body stops as soon as it passes the limit', async () => {
  const ok = await readBody(Readable.from([Buffer.from('ab'), Buffer.from('cd')]), 4);
  assert.deepEqual(ok, { ok: true, body: Buffer.from('abcd') });
  const over = await readBody(Readable.from([Buffer.from('abc'), Buffer.from('def'), Buffer.from('ghi')]), 4);
  assert.equal(over.ok, false);
});
