import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeTlsFailure } from '../../../../src/proxy/tls/tls-failure.js';

const withCode = (code: string, message = 'x'): Error => Object.assign(new Error(message), { code });

test('each family of OpenSSL verification codes gets its own category and a sentence naming the host', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'untrusted', /not signed by any CA this host trusts/],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'untrusted', /self-signed certificate/],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'untrusted', /chain ending in a CA this host does not trust/],
    ['CERT_HAS_EXPIRED', 'expired', /has expired/],
    ['CERT_NOT_YET_VALID', 'not-yet-valid', /not valid yet; check this host's clock/],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'name-mismatch', /issued for other names/],
    ['CERT_REVOKED', 'revoked', /revoked/],
    ['INVALID_PURPOSE', 'invalid-certificate', /not valid for a TLS server/],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'handshake', /may not speak TLS on this port/],
    ['ECONNRESET', 'network', /broke during the TLS handshake/],
  ];
  for (const [code, category, sentence] of cases) {
    const failure = describeTlsFailure(withCode(code), 'api.example.com');
    assert.equal(failure.category, category, code);
    assert.equal(failure.nodeCode, code);
    assert.match(failure.message, sentence, code);
    assert.match(failure.message, /api\.example\.com/, code);
    assert.ok(failure.message.endsWith(`(${code})`), 'the original code stays visible for searching');
  }
});

test("a name mismatch quotes Node's reason", () => {
  const error = Object.assign(withCode('ERR_TLS_CERT_ALTNAME_INVALID'), {
    reason: "Host: a.example. is not in the cert's altnames: DNS:b.example",
  });
  assert.match(describeTlsFailure(error, 'a.example').message, /altnames: DNS:b\.example/);
});

test('errors without a code, and non-errors, are still described', () => {
  assert.equal(describeTlsFailure(new Error('socket hang up'), 'x.example').category, 'other');
  assert.match(describeTlsFailure('boom', 'x.example').message, /TLS connection to x\.example failed: boom/);
});
