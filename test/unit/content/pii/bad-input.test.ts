import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redactBody } from '../../../../src/content/pii/redact-body.js';
import { rehydrateText } from '../../../../src/content/pii/rehydrate.js';
import { createRehydrator } from '../../../../src/content/pii/rehydrator-stream.js';
import { createPiiScanner } from '../../../../src/content/pii/scanner.js';
import { PiiSession } from '../../../../src/content/pii/session.js';
import type { PiiType } from '../../../../src/policy/pii-types.js';

const scanner = createPiiScanner();
const types = new Set<PiiType>(['ssn', 'credit_card', 'email', 'phone_number', 'ip_address', 'api_key']);
const CONTENT_TYPES = [
  'application/json',
  'application/x-www-form-urlencoded',
  'text/plain',
  undefined,
  'multipart/form-data; boundary=x',
];

function redactAll(body: Buffer): Array<ReturnType<typeof redactBody>> {
  const session = new PiiSession();
  return CONTENT_TYPES.map((ct) => redactBody(body, ct, { scanner, types, action: 'redact', session }));
}

function rehydrateStream(body: Buffer, session: PiiSession, contentType: string, chunk = 65536): Buffer {
  const r = createRehydrator({ session, contentType });
  const out: Buffer[] = [];
  for (let i = 0; i < body.length; i += chunk) out.push(r.push(body.subarray(i, i + chunk)));
  out.push(r.end());
  return Buffer.concat(out);
}

test('pathological inputs are handled by every body format without throwing', () => {
  const inputs: Array<[string, Buffer]> = [
    ['100,000 digits', Buffer.from('1'.repeat(100_000))],
    ['1 MiB of @', Buffer.alloc(1024 * 1024, '@')],
    ['1 MiB of [', Buffer.alloc(1024 * 1024, '[')],
    ['1 MiB of %', Buffer.alloc(1024 * 1024, '%')],
    ['1 MiB of backslashes in a JSON string', Buffer.from(`["${'\\\\'.repeat(512 * 1024)}"]`)],
    ['digits and separators', Buffer.from('1-2 3.4-5 '.repeat(20_000))],
    ['invalid UTF-8', Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 37) & 0xff))],
    [
      'lone UTF-8 continuation bytes around an SSN',
      Buffer.concat([Buffer.from([0x80, 0xbf]), Buffer.from(' 123-45-6789 '), Buffer.from([0xc0])]),
    ],
  ];
  for (const [name, body] of inputs) {
    for (const result of redactAll(body)) {
      assert.ok(Buffer.isBuffer(result.body), name);
      assert.equal(typeof result.scanned, 'boolean', name);
    }
  }
});

test('JSON nested 100,000 levels deep is redacted as JSON without recursion and stays valid', () => {
  const session = new PiiSession();
  const body = Buffer.from(`${'{"a":['.repeat(100_000)}"ssn 123-45-6789"${']}'.repeat(100_000)}`);
  const result = redactBody(body, 'application/json', { scanner, types, action: 'redact', session });
  assert.equal(result.format, 'json');
  assert.deepEqual(result.findings, [{ type: 'ssn', count: 1 }]);
  const text = result.body.toString();
  assert.doesNotMatch(text, /123-45-6789/);
  JSON.parse(text);
  assert.equal(rehydrateText(text, session, 'json'), body.toString());
});

test('unbalanced deep nesting falls back to text and still finds the PII', () => {
  const session = new PiiSession();
  const body = Buffer.from(`${'['.repeat(100_000)}"123-45-6789"`);
  const result = redactBody(body, 'application/json', { scanner, types, action: 'redact', session });
  assert.equal(result.format, 'text');
  assert.deepEqual(result.findings, [{ type: 'ssn', count: 1 }]);
});

test('a 50 MiB body is scanned completely and streams back through rehydration', () => {
  const filler = 'the quick brown fox jumps over the lazy dog while order 7731 waits to ship. '.repeat(40);
  const block = `${filler}customer 123-45-6789 wrote from jane.doe@example.com. `;
  const repeats = Math.ceil((50 * 1024 * 1024) / block.length);
  const body = Buffer.from(block.repeat(repeats));
  const session = new PiiSession();
  const result = redactBody(body, 'text/plain', { scanner, types, action: 'redact', session });
  assert.deepEqual(result.findings, [
    { type: 'email', count: repeats },
    { type: 'ssn', count: repeats },
  ]);
  assert.equal(session.size, 2, 'one token per distinct value');
  assert.ok(rehydrateStream(result.body, session, 'text/plain').equals(body));
});

test('a body dense with PII (one value every 36 bytes) is redacted and restored completely', () => {
  const line = 'customer 123-45-6789 wrote from jane.doe@example.com about order 7731. ';
  const repeats = Math.ceil((2 * 1024 * 1024) / line.length);
  const body = Buffer.from(line.repeat(repeats));
  const session = new PiiSession();
  const result = redactBody(body, 'text/plain', { scanner, types, action: 'redact', session });
  assert.deepEqual(result.findings, [
    { type: 'email', count: repeats },
    { type: 'ssn', count: repeats },
  ]);
  assert.ok(rehydrateStream(result.body, session, 'text/plain').equals(body));
});

test('streaming rehydration of pathological bytes returns them unchanged', () => {
  const session = new PiiSession();
  session.tokenFor('ssn', '123-45-6789');
  for (const body of [
    Buffer.alloc(1024 * 1024, '['),
    Buffer.alloc(1024 * 1024, '%'),
    Buffer.from('[SSN_'.repeat(100_000)),
  ]) {
    for (const ct of ['text/plain', 'text/event-stream', 'application/json']) {
      assert.ok(rehydrateStream(body, session, ct, 1000).equals(body), ct);
    }
  }
});
