/**
 * Loopback TLS plumbing for the tests: a server on port 0 and a client that reports how the handshake
 * went instead of throwing.
 */
import {
  connect,
  TLSSocket,
  type ConnectionOptions,
  type PeerCertificate,
  type TLSSocketOptions,
} from 'node:tls';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';

export interface HandshakeOutcome {
  ok: boolean;
  /** Node's error code when the handshake failed. */
  code?: string;
  error?: Error;
  alpn?: string | false | null;
  peer?: PeerCertificate;
}

export interface RunningServer {
  port: number;
  close(): Promise<void>;
}

/**
 * A TLS server on 127.0.0.1:0 built the way the proxy builds one: a plain TCP listener whose sockets are
 * wrapped in server-side `TLSSocket`s (so `secureContext` and `SNICallback` behave as in the proxy). It
 * answers "ok" and hangs up.
 */
export async function startTlsServer(options: TLSSocketOptions): Promise<RunningServer> {
  const sockets = new Set<Socket>();
  const server = createNetServer((raw) => {
    sockets.add(raw);
    raw.on('close', () => sockets.delete(raw));
    raw.on('error', () => {});
    const socket = new TLSSocket(raw, { isServer: true, ...options });
    socket.on('error', () => raw.destroy());
    socket.on('secure', () => socket.end('ok'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Connects with `options` (host defaults to 127.0.0.1) and reports whether the handshake verified. */
export function tryHandshake(options: ConnectionOptions): Promise<HandshakeOutcome> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', ...options });
    socket.once('secureConnect', () => {
      resolve({ ok: true, alpn: socket.alpnProtocol, peer: socket.getPeerCertificate() });
      socket.destroy();
    });
    socket.once('error', (error: Error & { code?: string }) => {
      resolve({ ok: false, code: error.code, error });
      socket.destroy();
    });
  });
}
