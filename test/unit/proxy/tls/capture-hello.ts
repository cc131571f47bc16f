/**
 * Captures the first bytes a real TLS client sends, by pointing it at a plain TCP listener on loopback
 * that records what arrives and hangs up once the ClientHello is complete.
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { parseClientHello } from '../../../../src/proxy/tls/client-hello.js';

/** A client started against the capture port; `stop` must end it. */
export interface StartedClient {
  stop(): void;
}

/** Starts `client` against a loopback listener and resolves with the bytes it sent first. */
export async function captureClientHello(
  client: (port: number) => StartedClient,
  timeoutMs = 10_000,
): Promise<Buffer> {
  const server = createServer();
  const sockets = new Set<Socket>();
  const captured = new Promise<Buffer>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no ClientHello arrived')), timeoutMs);
    server.once('connection', (socket) => {
      const chunks: Buffer[] = [];
      const done = (): void => {
        clearTimeout(timer);
        resolve(Buffer.concat(chunks));
        socket.destroy();
      };
      socket.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        if (parseClientHello(Buffer.concat(chunks)).kind !== 'need-more') done();
      });
      socket.on('error', () => {});
      socket.on('close', done);
    });
  });
  server.on('connection', (s) => sockets.add(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const started = client(port);
  try {
    return await captured;
  } finally {
    started.stop();
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
