import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SecurityPolicy, ALL_TRAFFIC } from '../../../../src/policy/index.js';
import { EgressPolicy } from '../../../../src/proxy/egress/egress-policy.js';
import { mapResolver } from '../../../../src/proxy/egress/resolver.js';
import { canonicalIpLiteral } from '../../../../src/proxy/egress/ip-literal.js';

const dns = mapResolver({
  'pypi.org': '151.101.0.223',
  'api.openai.com': ['104.18.6.192', '2606:4700::6812:6c0'],
  'evil.example': '45.33.32.9',
  'rebind.example': ['151.101.0.1', '127.0.0.1'],
  'metadata.example': '169.254.169.254',
  'corp.example': '10.20.0.5',
});

function egress(
  network: { allowOut?: string[]; denyOut?: string[] },
  opts: ConstructorParameters<typeof EgressPolicy>[1] = {},
) {
  return new EgressPolicy(SecurityPolicy.from({ network }), {
    resolver: dns,
    hostAddresses: ['45.33.40.10'],
    ...opts,
  });
}

test('allowed names pass even when ALL_TRAFFIC is denied, and the vetted addresses are returned for dialing', async () => {
  const e = egress({ allowOut: ['*.openai.com', 'pypi.org'], denyOut: [ALL_TRAFFIC] });
  const d = await e.decide('API.OpenAI.com.');
  assert.equal(d.allowed, true);
  assert.equal(d.allowed && d.rule, '*.openai.com');
  assert.deepEqual(d.allowed && d.addresses.map((a) => a.address), ['104.18.6.192', '2606:4700::6812:6c0']);
  const other = await e.decide('evil.example');
  assert.equal(other.allowed, false);
  assert.equal(other.rule, '0.0.0.0/0');
});

test('a denied name is refused without asking DNS', async () => {
  let asked = false;
  const e = new EgressPolicy(SecurityPolicy.from({ network: { denyOut: ['*.evil.example'] } }), {
    resolver: { resolve: async () => ((asked = true), []) },
  });
  const d = await e.decide('x.evil.example');
  assert.equal(d.allowed, false);
  assert.equal(d.reason, 'deny_rule');
  assert.equal(asked, false);
});

test('allow beats deny for names and for addresses', async () => {
  const e = egress({ allowOut: ['pypi.org', '45.33.32.0/24'], denyOut: ['pypi.org', '45.33.32.9'] });
  assert.equal((await e.decide('pypi.org')).allowed, true);
  assert.equal((await e.decide('evil.example')).allowed, true);
});

test('IP literals in any encoding are canonicalised before matching', async () => {
  const e = egress({ denyOut: ['45.33.32.9'] });
  for (const spelling of [
    '45.33.32.9',
    '757145609',
    '0x2d.0x21.0x20.0x9',
    '055.041.040.011',
    '[::ffff:45.33.32.9]',
    '::ffff:2d21:2009',
  ]) {
    const d = await e.decide(spelling);
    assert.equal(d.allowed, false, spelling);
    assert.equal(d.reason, 'deny_rule', spelling);
  }
  assert.deepEqual(canonicalIpLiteral('127.1'), { address: '127.0.0.1', family: 4 });
  assert.equal(canonicalIpLiteral('1.2.3.4.5'), undefined);
  assert.equal(canonicalIpLiteral('api.openai.com'), undefined);
});

test('loopback, metadata and private addresses are refused, as literals and as resolution results', async () => {
  const e = egress({});
  for (const host of [
    '127.0.0.1',
    '2130706433',
    '169.254.169.254',
    'metadata.example',
    'corp.example',
    '[::1]',
    'fd00:ec2::254',
    '0.0.0.0',
  ]) {
    const d = await e.decide(host);
    assert.equal(d.allowed, false, host);
    assert.equal(d.reason, 'special_address', host);
  }
});

test('a name that resolves to one public and one loopback address is refused (rebinding)', async () => {
  const d = await egress({}).decide('rebind.example');
  assert.equal(d.allowed, false);
  assert.match(!d.allowed ? d.detail : '', /127\.0\.0\.1 is a loopback address/);
});

test("the host's own addresses are refused unless a rule names them", async () => {
  assert.equal((await egress({}).decide('45.33.40.10')).reason, 'host_address');
  assert.equal((await egress({ allowOut: ['45.33.40.10'] }).decide('45.33.40.10')).allowed, true);
});

test('private ranges become reachable only through a narrow allow rule or a trusted range, not ALL_TRAFFIC', async () => {
  assert.equal((await egress({ allowOut: [ALL_TRAFFIC] }).decide('corp.example')).allowed, false);
  assert.equal((await egress({ allowOut: ['10.20.0.0/16'] }).decide('corp.example')).allowed, true);
  assert.equal((await egress({}, { trustedRanges: ['10.0.0.0/8'] }).decide('corp.example')).allowed, true);
});

test('a name that does not resolve is refused with the reason', async () => {
  const d = await egress({}).decide('nowhere.example');
  assert.equal(d.allowed, false);
  assert.equal(d.reason, 'unresolvable');
});
