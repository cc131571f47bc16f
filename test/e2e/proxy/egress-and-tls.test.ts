import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SecurityPolicy, ALL_TRAFFIC } from '../../../src/policy/index.js';
import { buildHello } from '../../unit/proxy/tls/hello-builder.js';
import { startTestInternet, type TestInternet } from '../../helpers/test-internet.js';
import { startTestProxy, type TestProxy } from '../../helpers/test-proxy.js';
import { createTestPki } from '../../helpers/test-pki.js';
import { connectTunnel, readUntil, tlsOverTunnel } from './tunnel.js';
import { proxiedFetch } from './client.js';

let internet: TestInternet;
before(async () => {
  internet = await startTestInternet({
    names: ['api.openai.com', 'other.example'],
    extraDns: { 'rebind.example': '127.0.0.1', 'metadata.example': '169.254.169.254' },
  });
});
after(() => internet.close());

const networkOnly = () =>
  SecurityPolicy.from({
    network: { allowOut: ['*.openai.com', 'rebind.example', 'metadata.example'], denyOut: [ALL_TRAFFIC] },
  });
const intercepting = () =>
  SecurityPolicy.from({
    pii: { enabled: true },
    network: { allowOut: ['*.openai.com', 'other.example'], denyOut: [ALL_TRAFFIC] },
  });

async function withProxy(
  policy: SecurityPolicy,
  fn: (t: TestProxy) => Promise<void>,
  untrustedLoopback = false,
) {
  const t = await startTestProxy(internet, policy, { untrustedLoopback });
  try {
    await fn(t);
  } finally {
    await t.close();
  }
}

test('network-only policy: TLS is spliced untouched (the client sees the real certificate) and no leaf is minted', async () => {
  await withProxy(networkOnly(), async (t) => {
    const tunnel = await connectTunnel(t.port, `api.openai.com:${internet.httpsPort}`);
    assert.equal(tunnel.status, 200);
    // Trusting only the test internet's CA works: these are the server's own certificates.
    const s = await tlsOverTunnel(tunnel.socket, { servername: 'api.openai.com', ca: internet.rootCaPem });
    s.write('GET /hello HTTP/1.1\r\nHost: api.openai.com\r\nConnection: close\r\n\r\n');
    const answer = await readUntil(s, () => false);
    assert.match(answer, /^HTTP\/1\.1 200/);
    assert.equal(t.session.leafCache.stats().mints, 0);
    const allowed = t.audit.ofType('egress_allowed')[0]!;
    assert.equal(allowed.mode, 'splice');
    assert.equal(allowed.rule, '*.openai.com');
  });
});

test('hosts outside allow_out are refused on CONNECT with a 403 naming the rule', async () => {
  await withProxy(networkOnly(), async (t) => {
    const r = await connectTunnel(t.port, `other.example:${internet.httpsPort}`);
    assert.equal(r.status, 403);
    assert.match(r.head, /"stage":"egress"/);
    assert.match(r.head, /DECLAW_EGRESS_BLOCKED/);
    const ev = t.audit.ofType('egress_blocked')[0]!;
    assert.equal(ev.reason, 'deny_rule');
    assert.equal(ev.rule, '0.0.0.0/0');
    assert.equal(internet.requests.filter((q) => q.host === 'other.example').length, 0);
  });
});

for (const [what, authority, reason] of [
  ['an IP literal', '93.184.216.34:443', 'deny_rule'],
  ['a decimal IP literal', '1572395042:443', 'deny_rule'],
  ['a decimal spelling of the metadata IP', '2852039166:443', 'special_address'],
  ['the metadata IP', '169.254.169.254:443', 'special_address'],
  ['a name resolving to the metadata IP', 'metadata.example:443', 'special_address'],
] as const) {
  test(`${what} is refused before anything is dialled`, async () => {
    await withProxy(networkOnly(), async (t) => {
      const r = await connectTunnel(t.port, authority);
      assert.equal(r.status, 403);
      assert.equal(t.audit.ofType('egress_blocked')[0]!.reason, reason);
    });
  });
}

test('a name that resolves to 127.0.0.1 is refused unless the test-only trusted range is set', async () => {
  await withProxy(
    networkOnly(),
    async (t) => {
      const r = await connectTunnel(t.port, `rebind.example:${internet.httpsPort}`);
      assert.equal(r.status, 403);
      const ev = t.audit.ofType('egress_blocked')[0]!;
      assert.equal(ev.reason, 'special_address');
      assert.match(ev.detail, /127\.0\.0\.1/);
    },
    true,
  );
});

test('a ClientHello without SNI is refused and audited', async () => {
  await withProxy(intercepting(), async (t) => {
    const tunnel = await connectTunnel(t.port, `api.openai.com:${internet.httpsPort}`);
    await assert.rejects(tlsOverTunnel(tunnel.socket, { ca: t.caPem }));
    const ev = t.audit.ofType('egress_blocked').find((e) => e.reason === 'no_sni');
    assert.ok(ev, 'no_sni audited');
  });
});

test('a ClientHello with ECH is refused', async () => {
  await withProxy(networkOnly(), async (t) => {
    const tunnel = await connectTunnel(t.port, `api.openai.com:${internet.httpsPort}`);
    tunnel.socket.write(buildHello({ sni: 'api.openai.com', ech: true }));
    await readUntil(tunnel.socket, () => false, 3000);
    assert.equal(tunnel.socket.destroyed || tunnel.socket.readableEnded, true);
    assert.ok(t.audit.ofType('egress_blocked').some((e) => e.reason === 'ech'));
  });
});

test('an SNI that differs from the CONNECT host is refused', async () => {
  await withProxy(intercepting(), async (t) => {
    const tunnel = await connectTunnel(t.port, `api.openai.com:${internet.httpsPort}`);
    await assert.rejects(tlsOverTunnel(tunnel.socket, { servername: 'other.example', ca: t.caPem }));
    assert.ok(t.audit.ofType('egress_blocked').some((e) => e.reason === 'sni_mismatch'));
  });
});

test('domain fronting (Host differs from SNI) on an intercepted connection gets 421 and reaches nobody', async () => {
  await withProxy(intercepting(), async (t) => {
    const tunnel = await connectTunnel(t.port, `api.openai.com:${internet.httpsPort}`);
    const s = await tlsOverTunnel(tunnel.socket, { servername: 'api.openai.com', ca: t.caPem });
    const before = internet.requests.length;
    s.write('GET /x HTTP/1.1\r\nHost: other.example\r\nConnection: close\r\n\r\n');
    const answer = await readUntil(s, () => false);
    assert.match(answer, /^HTTP\/1\.1 421/);
    assert.match(answer, /DECLAW_DOMAIN_FRONTING/);
    assert.equal(internet.requests.length, before);
    assert.ok(t.audit.ofType('egress_blocked').some((e) => e.reason === 'domain_fronting'));
  });
});

test('keep-alive and pipelined requests on one intercepted connection are answered in order', async () => {
  await withProxy(intercepting(), async (t) => {
    const tunnel = await connectTunnel(t.port, `api.openai.com:${internet.httpsPort}`);
    const s = await tlsOverTunnel(tunnel.socket, { servername: 'api.openai.com', ca: t.caPem });
    const body = 'chunked body with SSN 123-45-6789';
    s.write(
      'GET /one HTTP/1.1\r\nHost: api.openai.com\r\n\r\n' +
        `POST /two HTTP/1.1\r\nHost: api.openai.com\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n` +
        'GET /three HTTP/1.1\r\nHost: api.openai.com\r\nConnection: close\r\n\r\n',
    );
    const answer = await readUntil(s, () => false);
    const paths = [...answer.matchAll(/"path":"(\/[a-z]+)"/g)].map((m) => m[1]);
    assert.deepEqual(paths, ['/one', '/two', '/three']);
    assert.equal((answer.match(/HTTP\/1\.1 200 OK\r\n/g) ?? []).length, 3);
    const two = internet.requests.find((q) => q.path === '/two')!;
    assert.doesNotMatch(two.body, /123-45-6789/, 'the chunked body was scanned');
    assert.equal(
      two.headers['content-length'],
      String(Buffer.byteLength(two.body)),
      'Content-Length recomputed',
    );
    assert.equal(t.audit.ofType('egress_allowed').length, 1, 'one connection, one decision');
  });
});

test('an upstream certificate from an untrusted CA is refused with a clear 502 and a tls_error event', async () => {
  const rogue = await createTestPki({ commonName: 'rogue CA' });
  const creds = await rogue.issueServer(['api.openai.com']);
  const https = await import('node:https');
  const server = https.createServer({ key: creds.keyPem, cert: creds.certPem }, (_q, s) => s.end('hi'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  try {
    await withProxy(intercepting(), async (t) => {
      const f = proxiedFetch(t);
      const r = await f(`https://api.openai.com:${port}/`);
      await f.close();
      assert.equal(r.status, 502);
      const err = (r.json() as { error: { stage: string; message: string; category: string } }).error;
      assert.equal(err.stage, 'tls');
      assert.equal(err.category, 'untrusted');
      assert.match(err.message, /api\.openai\.com .*not signed by any CA this host trusts/);
      const ev = t.audit.ofType('tls_error')[0]!;
      assert.equal(ev.side, 'upstream');
      assert.equal(ev.category, 'untrusted');
    });
  } finally {
    server.close();
  }
});

test('a client that does not trust the sandbox CA fails its handshake, and that is audited', async () => {
  await withProxy(intercepting(), async (t) => {
    const tunnel = await connectTunnel(t.port, `api.openai.com:${internet.httpsPort}`);
    await assert.rejects(
      tlsOverTunnel(tunnel.socket, { servername: 'api.openai.com', ca: internet.rootCaPem }),
    );
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(t.audit.ofType('tls_error').some((e) => e.side === 'client'));
  });
});

test('plain-HTTP absolute-form requests go through the pipeline too', async () => {
  await withProxy(intercepting(), async (t) => {
    const http = await import('node:http');
    const body = JSON.stringify({ note: 'email john@example.com' });
    const answer = await new Promise<string>((resolve, reject) => {
      const req = http.request({
        host: '127.0.0.1',
        port: t.port,
        method: 'POST',
        path: internet.httpUrl('api.openai.com', '/plain'),
        headers: { 'content-type': 'application/json', host: `api.openai.com:${internet.httpPort}` },
      });
      req.on('response', (res) => {
        let d = '';
        res.on('data', (c: Buffer) => (d += c.toString()));
        res.on('end', () => resolve(d));
      });
      req.on('error', reject);
      req.end(body);
    });
    const seen = internet.requests.at(-1)!;
    assert.equal(seen.scheme, 'http');
    assert.doesNotMatch(seen.body, /john@example\.com/);
    // rehydrate_response is off in this policy, so the echo carries the token, not the value.
    assert.match(answer, /\[EMAIL_[0-9a-f]{6}\]/);
  });
});

test('plain HTTP inside a CONNECT tunnel is still scanned, and bound to the tunnel host', async () => {
  await withProxy(intercepting(), async (t) => {
    const tunnel = await connectTunnel(t.port, `api.openai.com:${internet.httpPort}`);
    const body = 'SSN 123-45-6789';
    tunnel.socket.write(
      `POST /in-tunnel HTTP/1.1\r\nHost: api.openai.com:${internet.httpPort}\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}` +
        `GET /elsewhere HTTP/1.1\r\nHost: other.example:${internet.httpPort}\r\nConnection: close\r\n\r\n`,
    );
    const answer = await readUntil(tunnel.socket, () => false);
    assert.match(answer, /^HTTP\/1\.1 200/);
    assert.match(answer, /HTTP\/1\.1 421/);
    const seen = internet.requests.find((q) => q.path === '/in-tunnel')!;
    assert.equal(seen.scheme, 'http');
    assert.doesNotMatch(seen.body, /123-45-6789/);
    assert.equal(internet.requests.filter((q) => q.path === '/elsewhere').length, 0);
    assert.equal(t.audit.ofType('egress_allowed')[0]!.mode, 'http');
  });
});

test('closing the proxy ends open tunnels instead of waiting for them', async () => {
  const t = await startTestProxy(internet, networkOnly());
  const tunnel = await connectTunnel(t.port, `api.openai.com:${internet.httpsPort}`);
  await tlsOverTunnel(tunnel.socket, { servername: 'api.openai.com', ca: internet.rootCaPem });
  await t.close();
  await new Promise((r) => tunnel.socket.once('close', r));
  assert.equal(tunnel.socket.destroyed, true);
});
