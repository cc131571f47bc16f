import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseBodyContentType } from '../../../../../src/content/pii/body/content-type.js';

test('content types map to the format their bodies are read as', () => {
  const cases: Array<[string | undefined, string]> = [
    ['application/json', 'json'],
    ['Application/JSON; charset=UTF-8', 'json'],
    ['application/vnd.api+json', 'json'],
    ['application/x-ndjson', 'json-seq'],
    ['application/jsonl', 'json-seq'],
    ['application/x-www-form-urlencoded', 'form'],
    ['multipart/form-data; boundary=abc', 'multipart'],
    ['text/plain', 'text'],
    ['text/html; charset=iso-8859-1', 'text'],
    ['application/xml', 'text'],
    ['application/soap+xml', 'text'],
    ['image/png', 'binary'],
    ['application/octet-stream', 'binary'],
    ['application/pdf', 'binary'],
    ['video/mp4', 'binary'],
    ['application/x-something', 'unknown'],
    [undefined, 'unknown'],
    ['', 'unknown'],
    ['this is not a mime type', 'unknown'],
  ];
  for (const [header, format] of cases)
    assert.equal(parseBodyContentType(header).format, format, String(header));
});

test('charset and a quoted boundary are read from the parameters', () => {
  const ct = parseBodyContentType('multipart/form-data; boundary="a b;c"; charset=UTF-8');
  assert.equal(ct.boundary, 'a b;c');
  assert.equal(ct.charset, 'utf-8');
  assert.equal(ct.mediaType, 'multipart/form-data');
});
