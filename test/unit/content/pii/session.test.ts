import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PiiSession } from '../../../../src/content/pii/session.js';
import { DeclawError } from '../../../../src/errors.js';

const TOKEN = /^\[CREDIT_CARD_[0-9a-f]{6}\]$/;

test('one value gets one token within a session, and the token resolves to it', () => {
  const session = new PiiSession();
  const a = session.tokenFor('credit_card', '4111111111111111');
  assert.match(a, TOKEN);
  assert.equal(session.tokenFor('credit_card', '4111111111111111'), a);
  assert.notEqual(session.tokenFor('credit_card', '5500000000000004'), a);
  assert.equal(session.resolve(a), '4111111111111111');
});

test('tokens of two sessions are unrelated', () => {
  const one = new PiiSession();
  const two = new PiiSession();
  const values = Array.from({ length: 20 }, (_, i) => `4111-0000-0000-${String(i).padStart(4, '0')}`);
  const same = values.filter((v) => one.tokenFor('credit_card', v) === two.tokenFor('credit_card', v));
  // Each pair agrees with probability 2^-24.
  assert.ok(same.length <= 1);
  assert.equal(two.resolve(one.tokenFor('credit_card', 'only-in-one')), undefined);
});

test('the same type and value in the same session with the same secret is reproducible', () => {
  const secret = Buffer.alloc(32, 7);
  const a = new PiiSession({ secret });
  const b = new PiiSession({ secret });
  assert.equal(a.tokenFor('email', 'x@y.io'), b.tokenFor('email', 'x@y.io'));
  assert.notEqual(a.tokenFor('email', 'x@y.io'), a.tokenFor('ssn', 'x@y.io').replace('SSN', 'EMAIL'));
});

test('hash collisions on six hex digits never make a token resolve to the wrong value', () => {
  // 20,000 values of one type on 2^24 tokens: about a dozen collide on their first hash.
  const session = new PiiSession({ secret: Buffer.alloc(32, 1), maxEntries: 50_000 });
  const tokens = new Map<string, string>();
  for (let i = 0; i < 20_000; i++) {
    const value = `user${i}@example.com`;
    const token = session.tokenFor('email', value);
    assert.equal(tokens.get(token), undefined, `token ${token} issued twice`);
    tokens.set(token, value);
  }
  for (const [token, value] of tokens) assert.equal(session.resolve(token), value);
  // Stable: asking again gives the token already issued, collision or not.
  for (const [token, value] of [...tokens].slice(0, 500))
    assert.equal(session.tokenFor('email', value), token);
});

test('vault bounds apply to the session', () => {
  let now = 0;
  const session = new PiiSession({ maxEntries: 3, maxAgeMs: 1000, now: () => now });
  const first = session.tokenFor('ssn', '111-11-1111');
  for (const v of ['222-22-2222', '333-33-3333', '444-44-4444']) session.tokenFor('ssn', v);
  assert.equal(session.size, 3);
  assert.equal(session.resolve(first), undefined, 'oldest evicted');
  now = 1000;
  assert.equal(session.resolve(session.tokenFor('ssn', '555-55-5555')), '555-55-5555');
  assert.equal(session.size, 1, 'expired entries are gone');
});

test('destroy wipes the vault; the session resolves nothing and refuses to issue tokens', () => {
  const session = new PiiSession();
  const token = session.tokenFor('ssn', '123-45-6789');
  session.destroy();
  assert.equal(session.destroyed, true);
  assert.equal(session.size, 0);
  assert.equal(session.empty, true);
  assert.equal(session.resolve(token), undefined);
  assert.throws(
    () => session.tokenFor('ssn', '123-45-6789'),
    (e: unknown) => e instanceof DeclawError,
  );
});

test('a secret shorter than 16 bytes is refused', () => {
  assert.throws(() => new PiiSession({ secret: Buffer.alloc(8) }), /at least 16 bytes/);
});
