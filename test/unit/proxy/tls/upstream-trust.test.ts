import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecureContext, rootCertificates } from 'node:tls';
import { FileUnreadableError, InvalidArgumentError } from '../../../../src/errors.js';
import { UpstreamTrust } from '../../../../src/proxy/tls/upstream-trust.js';
import { describeTlsFailure } from '../../../../src/proxy/tls/tls-failure.js';
import { createTestPki, type TestServerCredentials } from '../../../helpers/test-pki.js';
import { startTlsServer, tryHandshake } from './tls-harness.js';

async function httpsHost(creds: TestServerCredentials) {
  return startTlsServer({ secureContext: createSecureContext({ key: creds.keyPem, cert: creds.certPem }) });
}

test('a local server with a test-PKI certificate verifies when its root is an extra CA', async () => {
  const pki = await createTestPki();
  const server = await httpsHost(await pki.issueServer(['api.openai.com']));
  try {
    const trust = await UpstreamTrust.load({ extraCaPems: [pki.rootCaPem] });
    const outcome = await tryHandshake(
      trust.connectOptions({ name: 'api.openai.com', address: '127.0.0.1', port: server.port }),
    );
    assert.equal(outcome.ok, true, outcome.error?.message);
    assert.equal(outcome.alpn, false, 'the test server offers no ALPN');
  } finally {
    await server.close();
  }
});

test('without the test root the same server fails with a sentence saying the CA is not trusted', async () => {
  const pki = await createTestPki();
  const server = await httpsHost(await pki.issueServer(['api.openai.com']));
  try {
    const trust = await UpstreamTrust.load({ env: {} });
    const outcome = await tryHandshake(
      trust.connectOptions({ name: 'api.openai.com', address: '127.0.0.1', port: server.port }),
    );
    assert.equal(outcome.ok, false);
    const failure = describeTlsFailure(outcome.error, 'api.openai.com');
    assert.equal(failure.category, 'untrusted');
    assert.equal(failure.nodeCode, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    assert.match(failure.message, /api\.openai\.com .*not signed by any CA this host trusts/);
    assert.match(failure.message, /NODE_EXTRA_CA_CERTS/);
  } finally {
    await server.close();
  }
});

test('the name checked is the one the client asked for, not the address dialled', async () => {
  const pki = await createTestPki();
  const server = await httpsHost(await pki.issueServer(['pypi.org']));
  try {
    const trust = await UpstreamTrust.load({ extraCaPems: [pki.rootCaPem], includeSystemStore: false });
    const outcome = await tryHandshake(
      trust.connectOptions({ name: 'files.pythonhosted.org', address: '127.0.0.1', port: server.port }),
    );
    const failure = describeTlsFailure(outcome.error, 'files.pythonhosted.org');
    assert.equal(failure.category, 'name-mismatch');
    assert.match(failure.message, /issued for other names/);
  } finally {
    await server.close();
  }
});

test('an IP-literal destination is verified against the IP SAN and sends no SNI', async () => {
  const pki = await createTestPki();
  const server = await httpsHost(await pki.issueServer(['127.0.0.1']));
  try {
    const trust = await UpstreamTrust.load({ extraCaPems: [pki.rootCaPem], includeSystemStore: false });
    const options = trust.connectOptions({ name: '127.0.0.1', port: server.port });
    assert.equal(options.servername, undefined);
    const outcome = await tryHandshake(options);
    assert.equal(outcome.ok, true, outcome.error?.message);
  } finally {
    await server.close();
  }
});

test('an expired upstream certificate is reported as expired', async () => {
  const pki = await createTestPki();
  const creds = await pki.issueServer(['old.example'], {
    notBefore: new Date(Date.now() - 10 * 86_400_000),
    notAfter: new Date(Date.now() - 86_400_000),
  });
  const server = await httpsHost(creds);
  try {
    const trust = await UpstreamTrust.load({ extraCaPems: [pki.rootCaPem], includeSystemStore: false });
    const outcome = await tryHandshake(
      trust.connectOptions({ name: 'old.example', address: '127.0.0.1', port: server.port }),
    );
    const failure = describeTlsFailure(outcome.error, 'old.example');
    assert.equal(failure.category, 'expired');
    assert.match(failure.message, /certificate of old\.example has expired/);
  } finally {
    await server.close();
  }
});

test('NODE_EXTRA_CA_CERTS is honoured even though an explicit CA list replaces Node’s default store', async () => {
  const pki = await createTestPki();
  const dir = await mkdtemp(join(tmpdir(), 'declaw-trust-'));
  const server = await httpsHost(await pki.issueServer(['internal.example']));
  try {
    const file = join(dir, 'extra.pem');
    await writeFile(file, pki.rootCaPem);
    const trust = await UpstreamTrust.load({ env: { NODE_EXTRA_CA_CERTS: file } });
    const outcome = await tryHandshake(
      trust.connectOptions({ name: 'internal.example', address: '127.0.0.1', port: server.port }),
    );
    assert.equal(outcome.ok, true, outcome.error?.message);
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('the host store includes Node’s bundled roots, without duplicates', async () => {
  const trust = await UpstreamTrust.load({ env: {} });
  assert.ok(trust.caPems.length >= rootCertificates.length);
  assert.equal(new Set(trust.caPems.map((p) => p.replace(/\s+/g, ''))).size, trust.caPems.length);
});

test('a broken extra CA is refused with the source named; an unreadable file names its path', async () => {
  await assert.rejects(UpstreamTrust.load({ extraCaPems: ['not a pem'] }), (e: unknown) => {
    assert.ok(e instanceof InvalidArgumentError);
    assert.match(e.message, /extraCaPems\[0\].*BEGIN CERTIFICATE/);
    return true;
  });
  await assert.rejects(UpstreamTrust.load({ extraCaFiles: ['/nonexistent/ca.pem'] }), FileUnreadableError);
  await assert.rejects(
    UpstreamTrust.load({ includeSystemStore: false, env: {} }),
    /no CA certificate is trusted/,
  );
});
