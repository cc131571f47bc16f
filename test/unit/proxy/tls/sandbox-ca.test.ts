import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { inspect } from 'node:util';
import { InvalidArgumentError } from '../../../../src/errors.js';
import { SandboxCa } from '../../../../src/proxy/tls/sandbox-ca.js';
import { LeafCache } from '../../../../src/proxy/tls/leaf-cache.js';
import { startTlsServer, tryHandshake } from './tls-harness.js';

test('a sandbox CA is a P-256 CA certificate naming its sandbox', async () => {
  const ca = await SandboxCa.create({ sandboxId: 'sbx-42' });
  const cert = new X509Certificate(ca.certificatePem);
  assert.equal(cert.ca, true);
  assert.match(cert.subject, /CN=declaw sandbox CA sbx-42/);
  assert.equal(cert.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  assert.equal(cert.checkIssued(cert), true, 'self-signed');
  assert.equal(cert.fingerprint256.replace(/:/g, '').toLowerCase(), ca.fingerprint256);
});

test('two sandboxes never share a CA key or certificate', async () => {
  const [a, b] = await Promise.all([
    SandboxCa.create({ sandboxId: 'a' }),
    SandboxCa.create({ sandboxId: 'b' }),
  ]);
  assert.notEqual(a.fingerprint256, b.fingerprint256);
  const ka = new X509Certificate(a.certificatePem).publicKey.export({ format: 'der', type: 'spki' });
  const kb = new X509Certificate(b.certificatePem).publicKey.export({ format: 'der', type: 'spki' });
  assert.notDeepEqual(ka, kb);
});

test('the CA private key cannot be read back through the object', async () => {
  const ca = await SandboxCa.create({ sandboxId: 'secret-keeper' });
  const surfaces = [
    JSON.stringify(ca),
    inspect(ca, { depth: 5, showHidden: true }),
    Object.keys(ca).join(','),
  ];
  for (const text of surfaces) assert.doesNotMatch(text, /PRIVATE KEY|privateKey|CryptoKey/i);
  assert.equal('privateKey' in ca, false);
});

test('the CA certificate is valid from before now until the requested number of days', async () => {
  const now = new Date('2030-01-01T00:00:00Z');
  const ca = await SandboxCa.create({ sandboxId: 'dated', validityDays: 30, now: () => now });
  assert.ok(ca.notBefore < now);
  assert.equal(ca.notAfter.toISOString(), '2030-01-31T00:00:00.000Z');
});

test('bad sandbox ids and validities are refused with the rule to follow', async () => {
  await assert.rejects(SandboxCa.create({ sandboxId: 'a,CN=evil' }), (e: unknown) => {
    assert.ok(e instanceof InvalidArgumentError);
    assert.match(e.message, /letters, digits/);
    return true;
  });
  await assert.rejects(SandboxCa.create({ sandboxId: 'ok', validityDays: 0 }), InvalidArgumentError);
  await assert.rejects(
    SandboxCa.create({ sandboxId: 'ok', permittedDnsDomains: ['not a domain'] }),
    InvalidArgumentError,
  );
});

test('a leaf cannot outlive its CA: issuing past the CA expiry says to recreate the sandbox', async () => {
  const ca = await SandboxCa.create({ sandboxId: 'short', validityDays: 1 });
  const cache = await LeafCache.create({ ca, now: () => new Date(Date.now() + 3 * 86_400_000) });
  await assert.rejects(cache.leafFor('late.example'), /recreate the sandbox/);
});

test('name constraints: a client refuses a leaf for a domain the CA is not permitted to issue', async () => {
  const ca = await SandboxCa.create({
    sandboxId: 'constrained',
    permittedDnsDomains: ['*.openai.com', 'pypi.org'],
  });
  const cache = await LeafCache.create({ ca });
  const server = await startTlsServer(cache.serverOptions());
  try {
    const allowed = await tryHandshake({
      port: server.port,
      servername: 'api.openai.com',
      ca: [ca.certificatePem],
    });
    assert.equal(allowed.ok, true, allowed.error?.message);
    const apex = await tryHandshake({ port: server.port, servername: 'pypi.org', ca: [ca.certificatePem] });
    assert.equal(apex.ok, true, apex.error?.message);
    const outside = await tryHandshake({
      port: server.port,
      servername: 'evil.example',
      ca: [ca.certificatePem],
    });
    assert.equal(outside.ok, false);
    assert.match(String(outside.error?.message), /permitted subtree violation/);
  } finally {
    await server.close();
  }
});
