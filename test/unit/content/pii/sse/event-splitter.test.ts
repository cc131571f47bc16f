import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SseEventSplitter } from '../../../../../src/content/pii/sse/event-splitter.js';
import {
  buildSseEvent,
  parseSseEvent,
  serializeSseEvent,
} from '../../../../../src/content/pii/sse/sse-event.js';

function split(chunks: string[]): string[] {
  const s = new SseEventSplitter();
  const out = chunks.flatMap((c) => s.push(Buffer.from(c)).map((b) => b.toString()));
  const rest = s.rest();
  if (rest.length > 0) out.push(`REST:${rest.toString()}`);
  return out;
}

test('events end at a blank line with LF, CRLF or CR line breaks', () => {
  assert.deepEqual(split(['data: a\n\ndata: b\r\n\r\ndata: c\r\rdata: d']), [
    'data: a\n\n',
    'data: b\r\n\r\n',
    'data: c\r\r',
    'REST:data: d',
  ]);
});

test('an event split anywhere, even between CR and LF, comes out once and whole', () => {
  const stream = 'event: x\r\ndata: 1\r\n\r\n: comment\r\ndata: 2\r\n\r\n';
  for (let cut = 0; cut <= stream.length; cut++) {
    assert.deepEqual(split([stream.slice(0, cut), stream.slice(cut)]), [
      'event: x\r\ndata: 1\r\n\r\n',
      ': comment\r\ndata: 2\r\n\r\n',
    ]);
  }
});

test('a large event arriving in many small chunks is assembled once', () => {
  const big = `data: ${'x'.repeat(200_000)}\n\n`;
  const chunks: string[] = [];
  for (let i = 0; i < big.length; i += 1000) chunks.push(big.slice(i, i + 1000));
  assert.deepEqual(split(chunks), [big]);
});

test('an event is parsed into name and data, and rewritten keeping its other lines', () => {
  const e = parseSseEvent('id: 7\r\nevent: delta\r\ndata: {"a":\r\ndata: 1}\r\n: c\r\n\r\n');
  assert.equal(e.name, 'delta');
  assert.equal(e.data, '{"a":\n1}');
  assert.equal(e.eol, '\r\n');
  assert.equal(serializeSseEvent(e, 'x\ny'), 'id: 7\r\nevent: delta\r\ndata: x\r\ndata: y\r\n: c\r\n\r\n');
  assert.equal(buildSseEvent(undefined, 'z', '\n'), 'data: z\n\n');
});
