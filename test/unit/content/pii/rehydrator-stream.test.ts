import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import {
  createRehydrationTransform,
  createRehydrator,
  rehydrateBody,
} from '../../../../src/content/pii/rehydrator-stream.js';
import { PiiSession } from '../../../../src/content/pii/session.js';

function streamThrough(
  session: PiiSession,
  contentType: string,
  chunks: Buffer[],
): { out: Buffer; pieces: Buffer[] } {
  const r = createRehydrator({ session, contentType });
  const pieces = chunks.map((c) => r.push(c));
  pieces.push(r.end());
  return { out: Buffer.concat(pieces), pieces };
}

function splitAt(buf: Buffer, cuts: number[]): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  for (const c of [...cuts, buf.length]) {
    out.push(buf.subarray(at, c));
    at = c;
  }
  return out;
}

test('a token split at every possible position between two chunks is restored', () => {
  const session = new PiiSession();
  const token = session.tokenFor('credit_card', '4111111111111111');
  const body = Buffer.from(`{"reply":"card ${token} ok"}`);
  for (let cut = 0; cut <= body.length; cut++) {
    const { out } = streamThrough(session, 'application/json', splitAt(body, [cut]));
    assert.equal(out.toString(), '{"reply":"card 4111111111111111 ok"}', `cut at ${cut}`);
  }
});

test('a token delivered one byte per chunk is restored', () => {
  const session = new PiiSession();
  const token = session.tokenFor('ssn', '123-45-6789');
  const body = Buffer.from(`a ${token} b %5B${token.slice(1, -1)}%5D c`);
  const { out } = streamThrough(
    session,
    'text/plain',
    [...body].map((b) => Buffer.from([b])),
  );
  assert.equal(out.toString(), 'a 123-45-6789 b 123-45-6789 c');
});

test('multi-byte UTF-8 split across chunks is never corrupted, also next to a token and in the value', () => {
  const session = new PiiSession();
  const token = session.tokenFor('person_name', 'Zoë 😀 Łukasz');
  const body = Buffer.from(`héllo ${token}→😀 done`);
  for (let cut = 0; cut <= body.length; cut++) {
    for (const cut2 of [cut, Math.min(body.length, cut + 1), Math.min(body.length, cut + 3)]) {
      const { out } = streamThrough(session, 'text/plain', splitAt(body, [cut, cut2]));
      assert.equal(out.toString(), 'héllo Zoë 😀 Łukasz→😀 done');
    }
  }
});

test('only a possible token prefix is held back; everything else goes out at once', () => {
  const session = new PiiSession();
  session.tokenFor('ssn', '123-45-6789');
  const r = createRehydrator({ session, contentType: 'text/plain' });
  assert.equal(r.push(Buffer.from('plain text [ not')).toString(), 'plain text [ not');
  assert.equal(r.push(Buffer.from('abc [SS')).toString(), 'abc ');
  assert.equal(r.push(Buffer.from('X] 50%')).toString(), '[SSX] 50');
  assert.equal(r.end().toString(), '%');
});

test('a session that issued no token passes every chunk through unchanged', () => {
  const session = new PiiSession();
  const chunk = Buffer.from('[SSN_0000');
  const r = createRehydrator({ session, contentType: 'text/plain' });
  assert.equal(r.push(chunk), chunk);
  assert.equal(r.end().length, 0);
});

test('tokens this session did not issue stream through untouched', () => {
  const session = new PiiSession();
  session.tokenFor('ssn', '123-45-6789');
  const { out } = streamThrough(session, 'text/plain', [Buffer.from('x [SSN_00'), Buffer.from('0000] y')]);
  assert.equal(out.toString(), 'x [SSN_000000] y');
});

test('the Transform form rehydrates a piped body', async () => {
  const session = new PiiSession();
  const token = session.tokenFor('email', 'a"b@example.com');
  const source = Readable.from([
    Buffer.from(`{"to":"${token.slice(0, 4)}`),
    Buffer.from(`${token.slice(4)}"}`),
  ]);
  const chunks: Buffer[] = [];
  for await (const c of source.pipe(
    createRehydrationTransform({ session, contentType: 'application/json' }),
  )) {
    chunks.push(c as Buffer);
  }
  assert.deepEqual(JSON.parse(Buffer.concat(chunks).toString()), { to: 'a"b@example.com' });
});

test('rehydrateBody restores a whole body byte for byte, invalid UTF-8 included, and escapes SSE JSON data', () => {
  const session = new PiiSession();
  const token = session.tokenFor('email', 'a"b@example.com');
  const text = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(` ${token} `), Buffer.from([0xc3])]);
  assert.deepEqual(
    rehydrateBody(text, 'text/plain', session),
    Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(' a"b@example.com '), Buffer.from([0xc3])]),
  );
  const sseBody = Buffer.from(`data: {"msg":"to ${token}"}\n\n`);
  assert.equal(
    rehydrateBody(sseBody, 'text/event-stream', session).toString(),
    'data: {"msg":"to a\\"b@example.com"}\n\n',
  );
  const untouched = Buffer.from('{"a":1}');
  assert.equal(rehydrateBody(untouched, 'application/json', session), untouched);
});
