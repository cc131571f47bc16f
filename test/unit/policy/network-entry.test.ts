import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNetworkEntry, compileHostMatcher, SecurityPolicy } from '../../../src/policy/index.js';

test('entries are normalised: case, trailing dot, IDN to punycode, IPv6 compressed, IPv4-mapped to IPv4', () => {
  assert.equal(parseNetworkEntry('API.OpenAI.com.').text, 'api.openai.com');
  assert.equal(parseNetworkEntry('bücher.de').text, 'xn--bcher-kva.de');
  assert.equal(parseNetworkEntry('*.Bücher.de').text, '*.xn--bcher-kva.de');
  assert.equal(parseNetworkEntry('2001:DB8:0:0::1').text, '2001:db8::1');
  assert.equal(parseNetworkEntry('::ffff:10.0.0.1').text, '10.0.0.1');
  assert.deepEqual(parseNetworkEntry('0.0.0.0/0'), { kind: 'all', text: '0.0.0.0/0' });
  assert.deepEqual(parseNetworkEntry('::/0'), { kind: 'all', text: '::/0' });
  assert.equal(parseNetworkEntry('10.1.0.0/16').kind, 'cidr');
});

test('host lists reject IPs where only names make sense', () => {
  assert.throws(
    () => SecurityPolicy.fromJSON({ pii: { domains: ['10.0.0.1'] } }),
    /host names and patterns only/,
  );
});

test('wildcards match subdomains but not the apex; names compare case-insensitively without trailing dot', () => {
  const m = compileHostMatcher(['*.openai.com', 'pypi.org']);
  assert.equal(m.match('api.openai.com'), '*.openai.com');
  assert.equal(m.match('A.B.OPENAI.COM.'), '*.openai.com');
  assert.equal(m.match('openai.com'), undefined);
  assert.equal(m.match('evilopenai.com'), undefined);
  assert.equal(m.match('PyPI.org'), 'pypi.org');
  assert.equal(m.match('files.pypi.org'), undefined);
});

test('~regex patterns must match the whole host name', () => {
  const m = compileHostMatcher(['~api[0-9]+\\.example\\.com']);
  assert.equal(m.match('api12.example.com'), '~api[0-9]+\\.example\\.com');
  assert.equal(m.match('api12.example.com.evil.net'), undefined);
  assert.equal(m.match('xapi1.example.com'), undefined);
});

test('IDN hosts match their punycode pattern', () => {
  assert.equal(compileHostMatcher(['bücher.de']).match('xn--bcher-kva.de'), 'xn--bcher-kva.de');
  assert.equal(compileHostMatcher(['xn--bcher-kva.de']).match('BÜCHER.de'), 'xn--bcher-kva.de');
});
