import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect as netConnect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createSecureContext, TLSSocket } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { peekClientHello, type PeekedClientHello } from '../../../../src/proxy/tls/peek-client-hello.js';
import { SandboxCa } from '../../../../src/proxy/tls/sandbox-ca.js';
import { LeafCache } from '../../../../src/proxy/tls/leaf-cache.js';
import { createTestPki } from '../../../helpers/test-pki.js';
import { buildHello } from './hello-builder.js';
import { startTlsServer, tryHandshake } from './tls-harness.js';

/** A loopback front door that peeks every connection and hands the socket to `then`. */
async function frontDoor(
  timeoutMs: number,
  then: (socket: Socket, peeked: PeekedClientHello) => void,
): Promise<{ port: number; peeks: PeekedClientHello[]; close(): Promise<void> }> {
  const peeks: PeekedClientHello[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    void peekClientHello(socket, { timeoutMs }).then((peeked) => {
      peeks.push(peeked);
      then(socket, peeked);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    peeks,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

test('interception: after peeking the SNI, a server-side TLSSocket completes the same handshake', async () => {
  const ca = await SandboxCa.create({ sandboxId: 'peek' });
  const cache = await LeafCache.create({ ca });
  const door = await frontDoor(5000, (socket, peeked) => {
    if (peeked.result.kind !== 'client-hello' || !peeked.result.sni) return socket.destroy();
    void cache.secureContextFor(peeked.result.sni).then((secureContext) => {
      const tlsSocket = new TLSSocket(socket, { isServer: true, ...cache.serverOptions(), secureContext });
      tlsSocket.on('error', () => socket.destroy());
      tlsSocket.on('secure', () => tlsSocket.end('hello from the proxy'));
    });
  });
  try {
    const outcome = await tryHandshake({
      port: door.port,
      servername: 'API.openai.com',
      ca: [ca.certificatePem],
      ALPNProtocols: ['http/1.1'],
    });
    assert.equal(outcome.ok, true, outcome.error?.message);
    assert.equal(outcome.alpn, 'http/1.1');
    const first = door.peeks[0]?.result;
    assert.equal(first?.kind === 'client-hello' && first.sni, 'api.openai.com');
  } finally {
    await door.close();
  }
});

test('pass-through: peeked bytes are replayed untouched, so the client verifies the real server', async () => {
  const pki = await createTestPki();
  const creds = await pki.issueServer(['pypi.org']);
  const upstream = await startTlsServer({
    secureContext: createSecureContext({ key: creds.keyPem, cert: creds.certPem }),
  });
  const door = await frontDoor(5000, (socket) => {
    const out = netConnect(upstream.port, '127.0.0.1');
    out.on('error', () => socket.destroy());
    socket.pipe(out).pipe(socket);
  });
  try {
    const outcome = await tryHandshake({ port: door.port, servername: 'pypi.org', ca: [pki.rootCaPem] });
    assert.equal(outcome.ok, true, outcome.error?.message);
    assert.equal(outcome.peer?.subject.CN, 'pypi.org');
  } finally {
    await door.close();
    await upstream.close();
  }
});

test('a hello dribbled in a few bytes at a time is still recognised once complete', async () => {
  const hello = buildHello({ sni: 'slow.example', alpn: ['http/1.1'] });
  const door = await frontDoor(5000, (socket) => socket.destroy());
  try {
    const client = netConnect(door.port, '127.0.0.1');
    client.setNoDelay(true);
    client.on('error', () => {});
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
    for (let i = 0; i < hello.length; i += 37) {
      client.write(hello.subarray(i, i + 37));
      await sleep(2);
    }
    while (door.peeks.length === 0) await sleep(5);
    const peeked = door.peeks[0] as PeekedClientHello;
    assert.equal(peeked.result.kind === 'client-hello' && peeked.result.sni, 'slow.example');
    assert.deepEqual(peeked.buffered, hello);
    client.destroy();
  } finally {
    await door.close();
  }
});

test('plain HTTP on the TLS port is reported as not TLS and its bytes stay readable', async () => {
  const request = 'GET / HTTP/1.1\r\nHost: pypi.org\r\n\r\n';
  let replayed = '';
  const door = await frontDoor(5000, (socket) => {
    socket.on('data', (chunk: Buffer) => {
      replayed += chunk.toString('latin1');
      if (replayed.length >= request.length) socket.end();
    });
    socket.resume();
  });
  try {
    const client = netConnect(door.port, '127.0.0.1', () => client.write(request));
    client.on('error', () => {});
    await new Promise<void>((resolve) => client.on('close', () => resolve()));
    assert.equal(door.peeks[0]?.result.kind, 'not-tls');
    assert.equal(replayed, request);
  } finally {
    await door.close();
  }
});

test('a client that connects and says nothing is reported as a timeout', async () => {
  const door = await frontDoor(30, (socket) => socket.destroy());
  try {
    const client = netConnect(door.port, '127.0.0.1');
    client.on('error', () => {});
    await new Promise<void>((resolve) => client.on('close', () => resolve()));
    assert.equal(door.peeks[0]?.result.kind, 'timeout');
  } finally {
    await door.close();
  }
});

test('a client that hangs up mid-hello is reported as closed', async () => {
  const door = await frontDoor(5000, (socket) => socket.destroy());
  try {
    const client = netConnect(door.port, '127.0.0.1', () =>
      client.end(buildHello({ sni: 'x.example' }).subarray(0, 20)),
    );
    client.on('error', () => {});
    while (door.peeks.length === 0) await sleep(5);
    assert.equal(door.peeks[0]?.result.kind, 'closed');
    assert.equal(door.peeks[0]?.buffered.length, 20);
  } finally {
    await door.close();
  }
});
