import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DeclawError } from '../../../../src/errors.js';
import {
  DEFAULT_VAULT_MAX_AGE_MS,
  DEFAULT_VAULT_MAX_ENTRIES,
  MAX_VAULT_ENTRIES,
  TokenVault,
} from '../../../../src/content/pii/vault.js';

function clock(start = 1_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

test('the vault maps tokens to values and values back to their token', () => {
  const vault = new TokenVault();
  vault.put('ssn', '123-45-6789', '[SSN_000001]');
  assert.equal(vault.valueOf('[SSN_000001]'), '123-45-6789');
  assert.equal(vault.tokenOf('ssn', '123-45-6789'), '[SSN_000001]');
  assert.equal(vault.tokenOf('credit_card', '123-45-6789'), undefined, 'the type is part of the key');
  assert.equal(vault.valueOf('[SSN_000002]'), undefined);
});

test('beyond maxEntries the least recently issued token is evicted first', () => {
  const vault = new TokenVault({ maxEntries: 2 });
  vault.put('email', 'a@x.io', '[EMAIL_00000a]');
  vault.put('email', 'b@x.io', '[EMAIL_00000b]');
  // Issuing a again makes b the oldest.
  assert.equal(vault.tokenOf('email', 'a@x.io'), '[EMAIL_00000a]');
  vault.put('email', 'c@x.io', '[EMAIL_00000c]');
  assert.equal(vault.size, 2);
  assert.equal(vault.valueOf('[EMAIL_00000b]'), undefined);
  assert.equal(vault.valueOf('[EMAIL_00000a]'), 'a@x.io');
  assert.equal(vault.valueOf('[EMAIL_00000c]'), 'c@x.io');
});

test('a token expires maxAgeMs after it was last issued', () => {
  const c = clock();
  const vault = new TokenVault({ maxAgeMs: 100, now: c.now });
  vault.put('ssn', '123-45-6789', '[SSN_000001]');
  c.advance(99);
  assert.equal(vault.valueOf('[SSN_000001]'), '123-45-6789');
  assert.equal(vault.tokenOf('ssn', '123-45-6789'), '[SSN_000001]', 're-issue refreshes the age');
  c.advance(99);
  assert.equal(vault.valueOf('[SSN_000001]'), '123-45-6789');
  c.advance(1);
  assert.equal(vault.valueOf('[SSN_000001]'), undefined);
  assert.equal(vault.tokenOf('ssn', '123-45-6789'), undefined);
});

test('expired entries are dropped when new ones are written, so an idle vault does not grow', () => {
  const c = clock();
  const vault = new TokenVault({ maxAgeMs: 10, now: c.now });
  for (let i = 0; i < 50; i++) vault.put('ssn', String(i), `[SSN_${i.toString(16).padStart(6, '0')}]`);
  c.advance(10);
  vault.put('ssn', 'new', '[SSN_ffffff]');
  assert.equal(vault.size, 1);
});

test('clear forgets everything', () => {
  const vault = new TokenVault();
  vault.put('ssn', '123-45-6789', '[SSN_000001]');
  vault.clear();
  assert.equal(vault.size, 0);
  assert.equal(vault.valueOf('[SSN_000001]'), undefined);
});

test('defaults are documented constants and bad bounds are refused with a declaw error', () => {
  const vault = new TokenVault();
  assert.equal(vault.maxEntries, DEFAULT_VAULT_MAX_ENTRIES);
  assert.equal(vault.maxAgeMs, DEFAULT_VAULT_MAX_AGE_MS);
  for (const bad of [0, -1, 1.5, Number.NaN, MAX_VAULT_ENTRIES + 1]) {
    assert.throws(
      () => new TokenVault({ maxEntries: bad }),
      (e: unknown) => e instanceof DeclawError,
    );
  }
  assert.throws(() => new TokenVault({ maxAgeMs: 0 }), /maxAgeMs/);
});
