import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { SecurityPolicy } from '../../../../src/policy/index.js';
import { createPiiScanner } from '../../../../src/content/pii/scanner.js';
import { createInjectionScorer } from '../../../../src/content/injection/scorer.js';
import { SessionRegistry } from '../../../../src/proxy/session-registry.js';
import { UpstreamTrust } from '../../../../src/proxy/tls/upstream-trust.js';
import { parseProxyAuthorization, sessionForRequest } from '../../../../src/proxy/front-door/proxy-auth.js';
import { createTestPki } from '../../../helpers/test-pki.js';
import { silentLogger } from '../../../../src/logger.js';

async function registry() {
  const pki = await createTestPki();
  const trust = await UpstreamTrust.load({
    includeSystemStore: false,
    extraCaPems: [pki.rootCaPem],
    env: {},
  });
  return new SessionRegistry({
    scanner: createPiiScanner(),
    injectionScorer: createInjectionScorer(),
    upstreamTrust: trust,
    egress: { hostAddresses: [] },
    logger: silentLogger,
  });
}

const req = (auth?: string) => ({ headers: auth ? { 'proxy-authorization': auth } : {} }) as IncomingMessage;
const basic = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;

test('Proxy-Authorization Basic names the session and carries its token', () => {
  assert.deepEqual(parseProxyAuthorization(basic('sbx-1:tok')), { id: 'sbx-1', token: 'tok' });
  assert.equal(parseProxyAuthorization('Bearer x'), undefined);
});

test('a session with a token is served only to clients that present it', async () => {
  const sessions = await registry();
  const policy = SecurityPolicy.from({});
  await sessions.add({ id: 'a', policy, proxyToken: 's3cret' });
  await sessions.add({ id: 'b', policy });
  assert.equal(sessionForRequest(req(basic('a:s3cret')), sessions, undefined)?.id, 'a');
  assert.equal(sessionForRequest(req(basic('a:wrong')), sessions, undefined), undefined);
  assert.equal(
    sessionForRequest(req(), sessions, 'a'),
    undefined,
    'binding a listener does not waive the token',
  );
  assert.equal(sessionForRequest(req(), sessions, 'b')?.id, 'b');
  assert.equal(
    sessionForRequest(req(basic('a:s3cret')), sessions, 'b'),
    undefined,
    'a bound listener serves only its session',
  );
  assert.equal(sessionForRequest(req(), sessions, undefined), undefined);
  sessions.clear();
});

test('the registry finds sandboxes by any spelling of their source address and refuses duplicates', async () => {
  const sessions = await registry();
  const policy = SecurityPolicy.from({});
  const s = await sessions.add({ id: 'sbx-1', policy, sourceAddresses: ['10.200.0.2'] });
  assert.equal(sessions.bySourceAddress('::ffff:10.200.0.2'), s);
  await assert.rejects(
    sessions.add({ id: 'sbx-2', policy, sourceAddresses: ['10.200.0.2'] }),
    /already belongs/,
  );
  await assert.rejects(sessions.add({ id: 'sbx-1', policy }), /already registered/);
  assert.equal(sessions.remove('sbx-1'), true);
  assert.equal(sessions.bySourceAddress('10.200.0.2'), undefined);
  assert.ok(s.pii.destroyed, 'removing a session wipes its PII tokens');
});

test('two sessions never share a CA or secret placeholders', async () => {
  const sessions = await registry();
  const policy = SecurityPolicy.fromJSON({
    pii: { enabled: true },
    env_security: { secure_env_vars: [{ key: 'K_TOKEN', value: 'v-123456', domains: ['a.example'] }] },
  });
  const a = await sessions.add({ id: 'a', policy });
  const b = await sessions.add({ id: 'b', policy });
  assert.notEqual(a.ca.fingerprint256, b.ca.fingerprint256);
  assert.notEqual(a.secrets.envForSandbox().K_TOKEN, b.secrets.envForSandbox().K_TOKEN);
  assert.ok(!JSON.stringify(a).includes('v-123456'));
  sessions.clear();
});
