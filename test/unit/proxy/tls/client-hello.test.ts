import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { connect } from 'node:tls';
import fc from 'fast-check';
import { parseClientHello, type ClientHelloResult } from '../../../../src/proxy/tls/client-hello.js';
import { buildHandshake, buildHello, frame, unframe } from './hello-builder.js';
import { captureClientHello } from './capture-hello.js';

function expectHello(result: ClientHelloResult): Extract<ClientHelloResult, { kind: 'client-hello' }> {
  assert.equal(result.kind, 'client-hello', `expected a ClientHello, got ${JSON.stringify(result)}`);
  return result as Extract<ClientHelloResult, { kind: 'client-hello' }>;
}

/** A view of `bytes` that counts reads outside them instead of letting them pass silently. */
function guarded(bytes: Uint8Array): { view: Uint8Array; outOfBounds: () => number } {
  let bad = 0;
  const view = new Proxy(bytes, {
    get(target, prop) {
      if (typeof prop === 'string' && /^-?\d+$/.test(prop)) {
        const i = Number(prop);
        if (i < 0 || i >= target.length) bad++;
        return target[i];
      }
      if (prop === 'length') return target.length;
      return Reflect.get(target, prop);
    },
  });
  return { view, outOfBounds: () => bad };
}

function nodeClient(options: { servername?: string; ALPNProtocols?: string[] }) {
  return (port: number) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...options });
    socket.on('error', () => {});
    return { stop: () => socket.destroy() };
  };
}

function commandClient(cmd: string, args: (port: number) => string[]) {
  return (port: number) => {
    const child = spawn(cmd, args(port), { stdio: ['pipe', 'ignore', 'ignore'] });
    child.on('error', () => {});
    return { stop: () => child.kill('SIGKILL') };
  };
}

const hasCommand = (cmd: string, versionArg: string): boolean => spawnSync(cmd, [versionArg]).status === 0;

test("node's tls.connect hello yields its SNI lower-cased and its ALPN list in order", async () => {
  const bytes = await captureClientHello(
    nodeClient({ servername: 'API.Example.COM', ALPNProtocols: ['h2', 'http/1.1'] }),
  );
  const hello = expectHello(parseClientHello(bytes));
  assert.equal(hello.sni, 'api.example.com');
  assert.deepEqual(hello.alpn, ['h2', 'http/1.1']);
  assert.equal(hello.hasEch, false);
  assert.ok(hello.supportedVersions.includes(0x0304), 'node offers TLS 1.3');
});

test('a node client connecting without SNI or ALPN gives a hello with neither', async () => {
  const bytes = await captureClientHello(nodeClient({ servername: '' }));
  const hello = expectHello(parseClientHello(bytes));
  assert.equal(hello.sni, undefined);
  assert.deepEqual(hello.alpn, []);
});

test("curl's hello carries the --resolve'd host name and offers h2 and http/1.1", async (t) => {
  if (!hasCommand('curl', '--version')) return t.skip('curl is not installed');
  const bytes = await captureClientHello(
    commandClient('curl', (port) => [
      '-sk',
      '--max-time',
      '5',
      '--resolve',
      `api.openai.com:${port}:127.0.0.1`,
      `https://api.openai.com:${port}/`,
    ]),
  );
  const hello = expectHello(parseClientHello(bytes));
  assert.equal(hello.sni, 'api.openai.com');
  assert.ok(hello.alpn.includes('http/1.1'), `curl offered ${hello.alpn.join(',')}`);
});

test("openssl s_client's hello carries -servername and -alpn", async (t) => {
  if (!hasCommand('openssl', 'version')) return t.skip('openssl is not installed');
  const bytes = await captureClientHello(
    commandClient('openssl', (port) => [
      's_client',
      '-connect',
      `127.0.0.1:${port}`,
      '-servername',
      'pypi.org',
      '-alpn',
      'http/1.1',
    ]),
  );
  const hello = expectHello(parseClientHello(bytes));
  assert.equal(hello.sni, 'pypi.org');
  assert.deepEqual(hello.alpn, ['http/1.1']);
});

test('every strict prefix of a real hello asks for more bytes, never decides early', async () => {
  const bytes = await captureClientHello(
    nodeClient({ servername: 'files.example.org', ALPNProtocols: ['http/1.1'] }),
  );
  for (let n = 0; n < bytes.length; n++) {
    const r = parseClientHello(bytes.subarray(0, n));
    assert.equal(r.kind, 'need-more', `prefix of ${n} bytes gave ${r.kind}`);
    if (r.kind === 'need-more')
      assert.ok(r.atLeast > n && r.atLeast <= bytes.length, `atLeast ${r.atLeast} at ${n}`);
  }
  assert.equal(expectHello(parseClientHello(bytes)).sni, 'files.example.org');
});

test('a hello split over many small TLS records is reassembled (property: any record size)', () => {
  fc.assert(
    fc.property(fc.domain(), fc.integer({ min: 1, max: 400 }), (domain, recordSize) => {
      const handshake = buildHandshake({ sni: domain, alpn: ['http/1.1'] });
      const hello = expectHello(parseClientHello(frame(handshake, recordSize)));
      assert.equal(hello.sni, domain.toLowerCase());
      assert.deepEqual(hello.alpn, ['http/1.1']);
    }),
  );
});

test('a real hello re-framed into 7-byte records still parses to the same SNI and ALPN', async () => {
  const bytes = await captureClientHello(
    nodeClient({ servername: 'chunked.example', ALPNProtocols: ['http/1.1'] }),
  );
  const original = expectHello(parseClientHello(bytes));
  const reframed = expectHello(parseClientHello(frame(unframe(bytes), 7)));
  assert.deepEqual(reframed, original);
});

test('SNI is lower-cased and loses its trailing dot', () => {
  assert.equal(expectHello(parseClientHello(buildHello({ sni: 'Api.OpenAI.COM.' }))).sni, 'api.openai.com');
});

test('an encrypted_client_hello extension is reported so the proxy can refuse it', () => {
  const hello = expectHello(parseClientHello(buildHello({ sni: 'public.example.com', ech: true })));
  assert.equal(hello.hasEch, true);
  assert.equal(hello.sni, 'public.example.com');
  assert.ok(hello.extensionTypes.includes(0xfe0d));
});

test('a bare TLS 1.2 hello without extensions parses with no SNI', () => {
  const hello = expectHello(parseClientHello(buildHello({ noExtensions: true })));
  assert.equal(hello.sni, undefined);
  assert.deepEqual(hello.extensionTypes, []);
});

test('plain HTTP, SSH banners and empty-ish input are told apart from TLS', () => {
  assert.deepEqual(parseClientHello(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')), { kind: 'not-tls' });
  assert.deepEqual(parseClientHello(Buffer.from('SSH-2.0-OpenSSH_9.2\r\n')), { kind: 'not-tls' });
  assert.deepEqual(parseClientHello(Buffer.from([0x16, 0x47])), { kind: 'not-tls' });
  assert.equal(parseClientHello(Buffer.alloc(0)).kind, 'need-more');
  assert.equal(parseClientHello(Buffer.from([0x16])).kind, 'need-more');
});

test('protocol violations are malformed with a reason, not guessed at', () => {
  const cases: Array<[string, Buffer, RegExp]> = [
    ['duplicate server_name', buildHello({ sni: 'a.example', duplicateSni: true }), /appears twice/],
    ['SNI with a slash', buildHello({ sni: 'evil.com/x' }), /not a valid host name/],
    ['SNI with a NUL byte', buildHello({ sni: 'good.com\u0000.evil.com' }), /not a valid host name/],
    ['SNI with an empty label', buildHello({ sni: 'a..b' }), /not a valid host name/],
    ['empty ALPN name', buildHello({ alpn: ['h2', ''] }), /empty protocol name/],
    ['a ServerHello instead', frame(Buffer.from([0x02, 0, 0, 4, 3, 3, 0, 0])), /not a ClientHello/],
    ['an empty record', Buffer.from([0x16, 3, 1, 0, 0]), /empty handshake record/],
    ['an oversized record', Buffer.from([0x16, 3, 1, 0x40, 0x01]), /exceeds the TLS limit/],
  ];
  for (const [what, bytes, reason] of cases) {
    const r = parseClientHello(bytes);
    assert.equal(r.kind, 'malformed', `${what}: got ${r.kind}`);
    if (r.kind === 'malformed') assert.match(r.reason, reason, what);
  }
});

test('a hello whose inner length lies is malformed, not an out-of-bounds read', () => {
  const handshake = buildHandshake({ sni: 'liar.example' });
  // Claim the extensions block is 0xffff bytes long.
  const extLenAt = 4 + 2 + 32 + 1 + 32 + 2 + 4 + 2;
  handshake.writeUInt16BE(0xffff, extLenAt);
  const { view, outOfBounds } = guarded(frame(handshake));
  const r = parseClientHello(view);
  assert.equal(r.kind, 'malformed');
  assert.equal(outOfBounds(), 0);
});

test('a client announcing a huge hello is refused before the proxy buffers it', () => {
  const r = parseClientHello(Buffer.from([0x16, 3, 1, 0x40, 0x00, 0x01, 0x10, 0x00, 0x00]), {
    maxHelloBytes: 65536,
  });
  assert.equal(r.kind, 'malformed');
});

test('the overread guard used by the fuzz tests does notice a read past the end', () => {
  const { view, outOfBounds } = guarded(Uint8Array.of(1, 2));
  assert.equal(view[1], 2);
  assert.equal(view[2], undefined);
  assert.equal(outOfBounds(), 1);
});

test('fuzz: random bytes never throw, never read out of bounds, and are never taken for a hello', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 700 }), (bytes) => {
      const { view, outOfBounds } = guarded(bytes);
      const r = parseClientHello(view);
      assert.ok(['not-tls', 'malformed', 'need-more'].includes(r.kind), r.kind);
      if (r.kind === 'malformed') assert.doesNotMatch(r.reason, /unexpected parser failure/);
      assert.equal(outOfBounds(), 0);
    }),
    { numRuns: 2000 },
  );
});

test('fuzz: random bodies behind a valid record and handshake header never throw or overread', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 400 }), fc.integer({ min: 1, max: 64 }), (body, recordSize) => {
      const handshake = Buffer.concat([
        Buffer.from([1, 0, (body.length >> 8) & 0xff, body.length & 0xff]),
        body,
      ]);
      const { view, outOfBounds } = guarded(frame(handshake, recordSize));
      const r = parseClientHello(view);
      if (r.kind === 'malformed') assert.doesNotMatch(r.reason, /unexpected parser failure/);
      assert.equal(outOfBounds(), 0);
    }),
    { numRuns: 2000 },
  );
});

test('fuzz: single-byte mutations and truncations of a real-shaped hello never throw or overread', () => {
  const base = buildHello({ sni: 'mutate.example.com', alpn: ['h2', 'http/1.1'], ech: true });
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat({ max: base.length - 1 }), fc.integer({ min: 0, max: 255 })), {
        maxLength: 4,
      }),
      fc.nat({ max: base.length }),
      (edits, cut) => {
        const bytes = Buffer.from(base);
        for (const [at, value] of edits) bytes[at] = value;
        const { view, outOfBounds } = guarded(bytes.subarray(0, cut));
        const r = parseClientHello(view);
        if (r.kind === 'malformed') assert.doesNotMatch(r.reason, /unexpected parser failure/);
        assert.equal(outOfBounds(), 0);
      },
    ),
    { numRuns: 3000 },
  );
});
