import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redactBody, type PiiAction } from '../../../../src/content/pii/redact-body.js';
import { PiiSession } from '../../../../src/content/pii/session.js';
import type { PiiType } from '../../../../src/policy/pii-types.js';
import { ALL_TEST_TYPES, createTestScanner } from './helpers/test-scanner.js';

function run(
  body: string | Buffer,
  contentType: string | undefined,
  action: PiiAction = 'redact',
  types = ALL_TEST_TYPES,
) {
  const session = new PiiSession();
  const input = typeof body === 'string' ? Buffer.from(body) : body;
  const result = redactBody(input, contentType, { scanner: createTestScanner(), types, action, session });
  return { result, session, input, text: result.body.toString() };
}

test('redact: the seed example becomes a card token and the result reports the type and count', () => {
  const { result, session, text } = run('Please charge 4111111111111111 for $50', 'text/plain');
  assert.equal(text, `Please charge ${session.tokenFor('credit_card', '4111111111111111')} for $50`);
  assert.match(text, /^Please charge \[CREDIT_CARD_[0-9a-f]{6}\] for \$50$/);
  assert.deepEqual(result.findings, [{ type: 'credit_card', count: 1 }]);
  assert.equal(result.changed, true);
  assert.equal(result.blocked, false);
  assert.equal(result.scanned, true);
});

test('block: the body is unchanged, blocked is set and the findings name types, never values', () => {
  const body = '{"ssn":"123-45-6789","e":"a@b.io","e2":"a@b.io"}';
  const { result, input, session } = run(body, 'application/json', 'block');
  assert.equal(result.blocked, true);
  assert.equal(result.changed, false);
  assert.equal(result.body, input);
  assert.deepEqual(result.findings, [
    { type: 'email', count: 2 },
    { type: 'ssn', count: 1 },
  ]);
  assert.doesNotMatch(JSON.stringify(result), /123-45-6789|a@b\.io/);
  assert.equal(session.size, 0, 'no tokens are issued for a blocked body');
});

test('block without findings lets the body through', () => {
  const { result } = run('{"ok":true}', 'application/json', 'block');
  assert.equal(result.blocked, false);
  assert.deepEqual(result.findings, []);
});

test('log_only: the body passes unchanged and the findings are reported', () => {
  const { result, input } = run('mail me: a@b.io', 'text/plain', 'log_only');
  assert.equal(result.body, input);
  assert.equal(result.blocked, false);
  assert.deepEqual(result.findings, [{ type: 'email', count: 1 }]);
});

test('only the requested types are looked for', () => {
  const { text, result } = run('a@b.io 123-45-6789', 'text/plain', 'redact', new Set<PiiType>(['ssn']));
  assert.match(text, /^a@b\.io \[SSN_[0-9a-f]{6}\]$/);
  assert.deepEqual(result.findings, [{ type: 'ssn', count: 1 }]);
});

test('a JSON body stays valid JSON with the same structure, numbers holding PII become strings', () => {
  const doc = {
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'Summarize: SSN 123-45-6789, email john@example.com' }],
    card: 4111111111111111,
    n: 3,
  };
  const { text, result, session } = run(JSON.stringify(doc, null, 2), 'application/json');
  assert.equal(result.format, 'json');
  const back = JSON.parse(text) as typeof doc & { card: unknown };
  assert.equal(
    back.messages[0]!.content,
    `Summarize: SSN ${session.tokenFor('ssn', '123-45-6789')}, email ${session.tokenFor('email', 'john@example.com')}`,
  );
  assert.equal(back.card, session.tokenFor('credit_card', '4111111111111111'));
  assert.equal(back.n, 3);
  assert.equal(text.split('\n').length, JSON.stringify(doc, null, 2).split('\n').length, 'formatting kept');
});

test('a body declared JSON that is not JSON is scanned as text', () => {
  const { text, result } = run('{"a": 123-45-6789', 'application/json');
  assert.equal(result.format, 'text');
  assert.match(text, /^\{"a": \[SSN_[0-9a-f]{6}\]$/);
});

test('form bodies stay form-encoded', () => {
  const { text, result } = run('email=john%40example.com&plan=pro', 'application/x-www-form-urlencoded');
  assert.equal(result.format, 'form');
  assert.match(text, /^email=%5BEMAIL_[0-9a-f]{6}%5D&plan=pro$/);
});

test('multipart: text parts are scanned, binary file parts are passed', () => {
  const body =
    '--XyZ\r\nContent-Disposition: form-data; name="note"\r\n\r\nssn 123-45-6789\r\n' +
    '--XyZ\r\nContent-Disposition: form-data; name="meta"\r\nContent-Type: application/json\r\n\r\n{"card":4111111111111111}\r\n' +
    '--XyZ\r\nContent-Disposition: form-data; name="img"; filename="a.bin"\r\nContent-Type: application/octet-stream\r\n\r\n123-45-6789\r\n' +
    '--XyZ--\r\n';
  const { text, result } = run(body, 'multipart/form-data; boundary=XyZ');
  assert.equal(result.format, 'multipart');
  assert.equal(result.partsSkipped, 1);
  assert.match(text, /ssn \[SSN_[0-9a-f]{6}\]\r\n/);
  assert.match(text, /\{"card":"\[CREDIT_CARD_[0-9a-f]{6}\]"\}/);
  assert.match(text, /octet-stream\r\n\r\n123-45-6789\r\n--XyZ--\r\n$/);
  assert.deepEqual(result.findings, [
    { type: 'credit_card', count: 1 },
    { type: 'ssn', count: 1 },
  ]);
});

test('binary bodies pass unread and say why', () => {
  for (const [body, type] of [
    [Buffer.from('123-45-6789'), 'image/png'],
    [Buffer.from('123-45-6789'), 'application/octet-stream'],
    [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x31, 0x32]), undefined],
  ] as const) {
    const { result, input } = run(body, type);
    assert.equal(result.scanned, false, String(type));
    assert.equal(result.body, input);
    assert.equal(typeof result.notScannedReason, 'string');
    assert.deepEqual(result.findings, []);
  }
});

test('an undeclared body is read as JSON when it is JSON, else as text', () => {
  assert.equal(run('{"a":"123-45-6789"}', undefined).result.format, 'json');
  assert.equal(run('hi 123-45-6789', undefined).result.format, 'text');
  assert.match(run('hi 123-45-6789', 'application/x-custom').text, /^hi \[SSN_/);
});

test('text with invalid UTF-8 is scanned and every byte outside the findings survives', () => {
  const body = Buffer.concat([
    Buffer.from([0xff, 0xfe]),
    Buffer.from(' ssn 123-45-6789 '),
    Buffer.from([0xc3, 0x28]),
  ]);
  const { result, session } = run(body, 'text/plain');
  const token = session.tokenFor('ssn', '123-45-6789');
  assert.deepEqual(
    result.body,
    Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(` ssn ${token} `), Buffer.from([0xc3, 0x28])]),
  );
});

test('an empty body is scanned and unchanged', () => {
  const { result, input } = run('', 'application/json');
  assert.equal(result.body, input);
  assert.equal(result.scanned, true);
});

test('an unsupported charset is reported as not scanned', () => {
  const { result } = run(Buffer.from('1\u00002\u0000', 'latin1'), 'text/plain; charset=utf-16le');
  assert.equal(result.scanned, false);
  assert.match(result.notScannedReason ?? '', /charset/);
});
