/**
 * Buffers the first bytes of a raw socket until {@link parseClientHello} can decide, then puts every
 * byte back (`socket.unshift`) so the next owner — a splice to upstream, or a server-side
 * `tls.TLSSocket` for interception — sees the connection from its first byte.
 */
import type { Socket } from 'node:net';
import { parseClientHello, type ClientHelloOptions, type ClientHelloResult } from './client-hello.js';

/** Options of {@link peekClientHello}. */
export interface PeekClientHelloOptions extends ClientHelloOptions {
  /**
   * Give up when no decision is possible after this many milliseconds (a client that connects and waits
   * for the server to speak first, as plain protocols do on a redirected port, never sends a hello).
   */
  timeoutMs: number;
}

/** What {@link peekClientHello} saw. */
export interface PeekedClientHello {
  /** The parser's verdict, or `timeout` / `closed` when the client never sent enough bytes. */
  result: ClientHelloResult | { kind: 'timeout' } | { kind: 'closed' };
  /** Everything read; already pushed back into the socket, kept here for logging or replay. */
  buffered: Buffer;
}

/**
 * Reads from `socket` until the ClientHello is complete, not TLS, malformed, the timeout passes, or the
 * socket ends. The socket is left paused with all bytes unshifted; the caller decides what to do next.
 *
 * @example
 * const { result } = await peekClientHello(socket, { timeoutMs: 5000 });
 * if (result.kind !== 'client-hello' || !result.sni || result.hasEch) return socket.destroy();
 * const tlsSocket = new tls.TLSSocket(socket, { isServer: true, ...leafCache.serverOptions() });
 */
export function peekClientHello(socket: Socket, options: PeekClientHelloOptions): Promise<PeekedClientHello> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;

    const finish = (result: PeekedClientHello['result']): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onClosed);
      socket.off('close', onClosed);
      socket.off('error', onClosed);
      const buffered = Buffer.concat(chunks, size);
      if (!socket.destroyed) {
        socket.pause();
        if (buffered.length > 0) socket.unshift(buffered);
      }
      resolve({ result, buffered });
    };

    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      size += chunk.length;
      const result = parseClientHello(Buffer.concat(chunks, size), options);
      if (result.kind !== 'need-more') finish(result);
    };
    const onClosed = (): void => finish({ kind: 'closed' });
    const timer = setTimeout(() => finish({ kind: 'timeout' }), options.timeoutMs);

    socket.on('data', onData);
    socket.once('end', onClosed);
    socket.once('close', onClosed);
    socket.once('error', onClosed);
    socket.resume();
  });
}
