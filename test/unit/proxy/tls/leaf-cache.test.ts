import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { InvalidArgumentError } from '../../../../src/errors.js';
import { SandboxCa } from '../../../../src/proxy/tls/sandbox-ca.js';
import { LeafCache } from '../../../../src/proxy/tls/leaf-cache.js';
import { startTlsServer, tryHandshake } from './tls-harness.js';

async function sandbox(id: string, onMint?: (e: { name: string }) => void) {
  const ca = await SandboxCa.create({ sandboxId: id });
  const cache = await LeafCache.create({ ca, onMint });
  return { ca, cache };
}

test('a client trusting only the sandbox CA verifies the intercepting server for the name it asked for', async () => {
  const { ca, cache } = await sandbox('verify');
  const server = await startTlsServer(cache.serverOptions());
  try {
    for (const name of ['api.openai.com', 'pypi.org', 'deep.sub.example.co.uk']) {
      const outcome = await tryHandshake({ port: server.port, servername: name, ca: [ca.certificatePem] });
      assert.equal(outcome.ok, true, `${name}: ${outcome.error?.message}`);
      assert.equal(outcome.peer?.subject.CN, name);
    }
  } finally {
    await server.close();
  }
});

test("a client trusting a different sandbox's CA refuses the leaf", async () => {
  const mine = await sandbox('mine');
  const other = await sandbox('other');
  const server = await startTlsServer(mine.cache.serverOptions());
  try {
    const outcome = await tryHandshake({
      port: server.port,
      servername: 'api.openai.com',
      ca: [other.ca.certificatePem],
    });
    assert.equal(outcome.ok, false);
    assert.equal(outcome.code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  } finally {
    await server.close();
  }
});

test('a leaf for one name does not pass for another: the client checks the SAN', async () => {
  const { ca, cache } = await sandbox('san');
  const ctx = await cache.secureContextFor('api.openai.com');
  const server = await startTlsServer({ secureContext: ctx });
  try {
    const outcome = await tryHandshake({
      port: server.port,
      servername: 'evil.example',
      ca: [ca.certificatePem],
    });
    assert.equal(outcome.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
  } finally {
    await server.close();
  }
});

test('intercepted connections negotiate http/1.1 even when the client prefers h2', async () => {
  const { ca, cache } = await sandbox('alpn');
  const server = await startTlsServer(cache.serverOptions());
  try {
    const outcome = await tryHandshake({
      port: server.port,
      servername: 'api.openai.com',
      ca: [ca.certificatePem],
      ALPNProtocols: ['h2', 'http/1.1'],
    });
    assert.equal(outcome.alpn, 'http/1.1');
  } finally {
    await server.close();
  }
});

test('an IP literal gets an IP SAN that a client connecting by address accepts', async () => {
  const { ca, cache } = await sandbox('ip');
  const leaf = await cache.leafFor('127.0.0.1');
  assert.match(new X509Certificate(leaf.certificatePem).subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
  const server = await startTlsServer({ secureContext: leaf.secureContext });
  try {
    const outcome = await tryHandshake({ port: server.port, ca: [ca.certificatePem] });
    assert.equal(outcome.ok, true, outcome.error?.message);
  } finally {
    await server.close();
  }
});

test('leaves are short-lived, for one name, signed by the CA, and share one key per sandbox', async () => {
  const { ca, cache } = await sandbox('props');
  const a = new X509Certificate((await cache.leafFor('a.example')).certificatePem);
  const b = new X509Certificate((await cache.leafFor('b.example')).certificatePem);
  const caCert = new X509Certificate(ca.certificatePem);
  assert.equal(a.subjectAltName, 'DNS:a.example');
  assert.equal(a.ca, false);
  assert.ok(a.verify(caCert.publicKey), 'signed by the sandbox CA');
  assert.equal(a.checkIssued(caCert), true);
  const lifetimeHours = (Date.parse(a.validTo) - Date.now()) / 3_600_000;
  assert.ok(lifetimeHours > 23 && lifetimeHours <= 24, `valid for ${lifetimeHours} more hours`);
  assert.deepEqual(
    a.publicKey.export({ format: 'der', type: 'spki' }),
    b.publicKey.export({ format: 'der', type: 'spki' }),
  );
  assert.notEqual(a.serialNumber, b.serialNumber);
});

test('single flight: 50 concurrent first requests for one name mint exactly once', async () => {
  const minted: string[] = [];
  const { cache } = await sandbox('flight', (e) => minted.push(e.name));
  const leaves = await Promise.all(Array.from({ length: 50 }, () => cache.leafFor('api.openai.com')));
  assert.deepEqual(minted, ['api.openai.com']);
  assert.ok(
    leaves.every((l) => l === leaves[0]),
    'everyone got the same leaf',
  );
  assert.deepEqual(cache.stats(), { mints: 1, hits: 49, size: 1 });
});

test('names differing only in case or a trailing dot share one leaf', async () => {
  const minted: string[] = [];
  const { cache } = await sandbox('normal', (e) => minted.push(e.name));
  const [a, b, c] = await Promise.all([
    cache.leafFor('API.OpenAI.com'),
    cache.leafFor('api.openai.com.'),
    cache.leafFor('api.openai.com'),
  ]);
  assert.equal(minted.length, 1);
  assert.ok(a === b && b === c);
});

test('concurrent requests for different names mint once per name', async () => {
  const minted: string[] = [];
  const { cache } = await sandbox('many', (e) => minted.push(e.name));
  const names = Array.from({ length: 10 }, (_, i) => `host${i}.example`);
  await Promise.all([...names, ...names, ...names].map((n) => cache.leafFor(n)));
  assert.deepEqual([...minted].sort(), [...names].sort());
});

test('the LRU keeps at most maxEntries leaves and re-mints an evicted name', async () => {
  const minted: string[] = [];
  const ca = await SandboxCa.create({ sandboxId: 'lru' });
  const cache = await LeafCache.create({ ca, maxEntries: 2, onMint: (e) => minted.push(e.name) });
  await cache.leafFor('one.example');
  await cache.leafFor('two.example');
  await cache.leafFor('three.example');
  assert.equal(cache.stats().size, 2);
  await cache.leafFor('one.example');
  assert.deepEqual(minted, ['one.example', 'two.example', 'three.example', 'one.example']);
});

test('names that cannot be certified are refused, and the handshake fails instead of hanging', async () => {
  const { ca, cache } = await sandbox('refuse');
  for (const bad of ['', 'a..b', 'ex ample.com', 'x'.repeat(64) + '.com']) {
    await assert.rejects(cache.leafFor(bad), InvalidArgumentError, JSON.stringify(bad));
  }
  const server = await startTlsServer(cache.serverOptions());
  try {
    // No SNI at all: there is no name to certify, so the server has no certificate to offer.
    const outcome = await tryHandshake({ port: server.port, servername: '', ca: [ca.certificatePem] });
    assert.equal(outcome.ok, false);
  } finally {
    await server.close();
  }
});
