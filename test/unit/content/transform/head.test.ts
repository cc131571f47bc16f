import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { canonicalHeaderName, TransformEngine } from '../../../../src/content/transform/index.js';
import type { HeaderPair, TransformRuleInput } from '../../../../src/content/transform/index.js';
import { parseHeaderLine, renderHeaderLine } from '../../../../src/content/transform/header-lines.js';

const out = (match: string, replace: string): TransformRuleInput => ({
  direction: 'outbound',
  match,
  replace,
});
const BEARER = out(String.raw`(Authorization:\s*Bearer\s+)(sk-[A-Za-z0-9]+)`, String.raw`\1[REDACTED]`);

test('header names are shown to rules in canonical case, as Go writes them', () => {
  assert.equal(canonicalHeaderName('authorization'), 'Authorization');
  assert.equal(canonicalHeaderName('x-API-key'), 'X-Api-Key');
  assert.equal(canonicalHeaderName('bad name'), 'bad name');
  assert.equal(renderHeaderLine('content-type', 'text/plain').toString('latin1'), 'Content-Type: text/plain');
});

test('headers no rule touched come back exactly as they were, in order, spelling included', () => {
  const headers: HeaderPair[] = [
    ['x-weird-CASE', '  value with spaces  '],
    ['Authorization', 'Bearer sk-abc'],
    ['accept', '*/*'],
  ];
  const r = new TransformEngine([BEARER]).applyToHead(headers, 'outbound');
  assert.deepEqual(r.headers, [
    ['x-weird-CASE', '  value with spaces  '],
    ['Authorization', 'Bearer [REDACTED]'],
    ['accept', '*/*'],
  ]);
  assert.deepEqual(r.dropped, []);
});

test('a replacement that tries to add a header line (CR LF) cannot: the line break is removed and reported', () => {
  const engine = new TransformEngine([
    out(String.raw`(Authorization: Bearer )\S+`, '\\1[REDACTED]\r\nX-Evil: 1'),
  ]);
  const r = engine.applyToHead([['Authorization', 'Bearer sk-abc']], 'outbound');
  assert.deepEqual(r.headers, [['Authorization', 'Bearer [REDACTED]X-Evil: 1']]);
  assert.deepEqual(r.repaired, ['Authorization']);
  assert.ok(!r.headers.some(([n]) => n.toLowerCase() === 'x-evil'));
});

test('a bare LF, a NUL or another control character from a replacement is removed too', () => {
  const engine = new TransformEngine([out('secret', 'a\nb\0c\x01d\x7fe\tf')]);
  const r = engine.applyToHead([['X-Token', 'secret']], 'outbound');
  assert.deepEqual(r.headers, [['X-Token', 'abcde\tf']]);
});

test('a rule that deletes the whole line removes the header and reports its name', () => {
  const engine = new TransformEngine([out(String.raw`^X-Api-Key:.*$`, '')]);
  const r = engine.applyToHead(
    [
      ['x-api-key', 'k-123'],
      ['Accept', '*/*'],
    ],
    'outbound',
  );
  assert.deepEqual(r.headers, [['Accept', '*/*']]);
  assert.deepEqual(r.dropped, ['x-api-key']);
  assert.deepEqual(r.fired, [{ rule: 0, count: 1 }]);
});

test('a rule that leaves a line without a valid name is dropped rather than kept, so the redaction holds', () => {
  const engine = new TransformEngine([out(String.raw`^X-Secret: `, 'bad name: ')]);
  const r = engine.applyToHead([['X-Secret', 'hunter2']], 'outbound');
  assert.deepEqual(r.headers, []);
  assert.deepEqual(r.dropped, ['X-Secret']);
});

test('a rule may rename a header to another valid name', () => {
  const engine = new TransformEngine([out(String.raw`^X-Old-Key: (.*)$`, String.raw`X-Redacted: \1`)]);
  assert.deepEqual(engine.applyToHead([['x-old-key', 'v']], 'outbound').headers, [['X-Redacted', 'v']]);
});

test('Content-Length, Transfer-Encoding, Host and pseudo-headers are never transformed', () => {
  const engine = new TransformEngine([out(String.raw`\d`, 'N'), out('example', 'evil')]);
  const headers: HeaderPair[] = [
    ['Content-Length', '42'],
    ['transfer-encoding', 'chunked'],
    ['Host', 'example.com:8080'],
    [':authority', 'example.com'],
  ];
  const r = engine.applyToHead(headers, 'outbound');
  assert.deepEqual(r.headers, headers);
  assert.deepEqual(r.fired, []);
});

test('a rule cannot turn another header into Content-Length or Host: that line is dropped', () => {
  const engine = new TransformEngine([out('^X-Len:', 'Content-Length:'), out('^X-Dest:', 'Host:')]);
  const r = engine.applyToHead(
    [
      ['X-Len', '5'],
      ['X-Dest', 'evil.example'],
    ],
    'outbound',
  );
  assert.deepEqual(r.headers, []);
  assert.deepEqual(r.dropped, ['X-Len', 'X-Dest']);
});

test('rules run on each header line separately: ^ and $ anchor to the line, no match spans two headers', () => {
  const engine = new TransformEngine([out('^A: 1$', 'A: one'), out('1\\s*B', 'X')]);
  const r = engine.applyToHead(
    [
      ['A', '1'],
      ['B', '2'],
    ],
    'outbound',
  );
  assert.deepEqual(r.headers, [
    ['A', 'one'],
    ['B', '2'],
  ]);
});

test('header values holding UTF-8 bytes (node gives them as latin1 characters) are matched as UTF-8 text', () => {
  const latin1OfUtf8 = Buffer.from('José García', 'utf8').toString('latin1');
  const engine = new TransformEngine([out('García', '[NAME]')]);
  const r = engine.applyToHead([['X-User', latin1OfUtf8]], 'outbound');
  assert.deepEqual(r.headers, [['X-User', 'José [NAME]'.replace('é', Buffer.from('é').toString('latin1'))]]);
});

test('fired counts of a head add up over all lines; direction applies to heads as to bodies', () => {
  const engine = new TransformEngine([
    { direction: 'both', match: String.raw`\d{3}-\d{2}-\d{4}`, replace: '[SSN]' },
    { direction: 'inbound', match: 'x', replace: 'y' },
  ]);
  const r = engine.applyToHead(
    [
      ['X-A', '123-45-6789 111-22-3333'],
      ['X-B', '999-88-7777 x'],
    ],
    'outbound',
  );
  assert.deepEqual(r.fired, [{ rule: 0, count: 3 }]);
  assert.deepEqual(r.headers[1], ['X-B', '[SSN] x']);
});

test('applyToMessage transforms head and body, reports both, and fixes Content-Length to the new body', () => {
  const engine = new TransformEngine([
    BEARER,
    { direction: 'both', match: String.raw`\d{3}-\d{2}-\d{4}`, replace: '[SSN]' },
  ]);
  const body = Buffer.from('{"ssn":"123-45-6789"}');
  const r = engine.applyToMessage(
    {
      headers: [
        ['Authorization', 'Bearer sk-abc'],
        ['Content-Length', String(body.length)],
      ],
      body,
    },
    'outbound',
  );
  assert.equal(r.body.toString(), '{"ssn":"[SSN]"}');
  assert.deepEqual(r.headers, [
    ['Authorization', 'Bearer [REDACTED]'],
    ['Content-Length', String(r.body.length)],
  ]);
  assert.deepEqual(r.headFired, [{ rule: 0, count: 1 }]);
  assert.deepEqual(r.bodyFired, [{ rule: 1, count: 1 }]);
  assert.deepEqual(r.fired, [
    { rule: 0, count: 1 },
    { rule: 1, count: 1 },
  ]);
});

test('parseHeaderLine trims optional whitespace around the value and refuses lines without a name', () => {
  assert.deepEqual(parseHeaderLine(Buffer.from('A:  b \t')), { name: 'A', value: 'b', repaired: false });
  assert.equal(parseHeaderLine(Buffer.from(': b')), undefined);
  assert.equal(parseHeaderLine(Buffer.from('no colon')), undefined);
});

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

test('property: whatever rules and headers, the head that comes out is well formed', () => {
  const nameArb = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,12}$/);
  const valueArb = fc.string({ unit: fc.constantFrom('a', 'B', '1', ' ', ':', '-', 'é', '\t', 'x') });
  const replaceArb = fc.string({
    unit: fc.constantFrom(
      '\r',
      '\n',
      '\0',
      ':',
      ' ',
      'Z',
      'Host',
      'Content-Length',
      '\\1',
      '\x7f',
      'é',
      '\t',
    ),
  });
  const matchArb = fc.constantFrom('a', '^', '$', ':', '^[^:]*', '(.)', ':\\s*', '.*', '\\d', '(?i)b');
  fc.assert(
    fc.property(
      fc.array(fc.tuple(nameArb, valueArb), { maxLength: 6 }),
      fc.array(fc.tuple(matchArb, replaceArb), { maxLength: 3 }),
      (headers, rules) => {
        const engine = new TransformEngine(
          rules.map(([match, replace]) => ({
            direction: 'outbound' as const,
            match,
            replace: match === '(.)' ? replace : replace.replaceAll('\\1', ''),
          })),
        );
        const r = engine.applyToHead(headers, 'outbound');
        for (const [name, value] of r.headers) {
          assert.match(name, TOKEN);
          const controls = [...value].filter((c) => (c < ' ' && c !== '\t') || c === '\x7f');
          assert.deepEqual(controls, [], 'no control characters but HTAB in values');
          assert.ok(![...value].some((c) => c.charCodeAt(0) > 0xff), 'values stay one character per byte');
        }
        const before = new Set(headers.map(([n]) => n.toLowerCase()));
        for (const [name] of r.headers) {
          const lower = name.toLowerCase();
          if (lower === 'host' || lower === 'content-length')
            assert.ok(before.has(lower), `rule created ${name}`);
        }
        assert.ok(r.headers.length + r.dropped.length === headers.length);
      },
    ),
  );
});
