/**
 * Raw clients for the proxy e2e tests: open a CONNECT tunnel by hand, then speak TLS (or anything)
 * over it, to test what real clients do not do: pipelining, fronting, missing SNI, ECH.
 */
import net, { type Socket } from 'node:net';
import tls, { type TLSSocket } from 'node:tls';

/** Sends `CONNECT authority` and resolves with the status line and, on 200, the socket. */
export function connectTunnel(
  proxyPort: number,
  authority: string,
  headers: string[] = [],
): Promise<{ status: number; head: string; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(proxyPort, '127.0.0.1');
    socket.setNoDelay(true);
    let buf = Buffer.alloc(0);
    socket.once('error', reject);
    socket.write(
      `CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n`,
    );
    const onData = (chunk: Buffer): void => {
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      const head = buf.subarray(0, end).toString('latin1');
      const rest = buf.subarray(end + 4);
      const status = Number(head.split(' ')[1]);
      if (status === 200) {
        if (rest.length > 0) socket.unshift(rest);
        return resolve({ status, head, socket });
      }
      // Read the refusal body to the end.
      const chunks: Buffer[] = [rest];
      socket.on('data', (c: Buffer) => chunks.push(c));
      socket.on('close', () =>
        resolve({ status, head: `${head}\r\n\r\n${Buffer.concat(chunks).toString()}`, socket }),
      );
    };
    socket.on('data', onData);
  });
}

/** TLS over an open tunnel, trusting `ca`. Resolves once the handshake is done; rejects on failure. */
export function tlsOverTunnel(
  socket: Socket,
  options: { servername?: string; ca: string; alpn?: string[] },
): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const t = tls.connect({
      socket,
      ca: options.ca,
      ...(options.servername !== undefined ? { servername: options.servername } : {}),
      ALPNProtocols: options.alpn ?? ['http/1.1'],
      // Without a servername Node would still check the name against the tunnel host; the tests
      // that omit SNI only care whether the proxy completes the handshake at all.
      checkServerIdentity: () => undefined,
    });
    t.once('secureConnect', () => {
      t.off('error', reject);
      resolve(t);
    });
    t.once('error', reject);
    socket.once('close', () => reject(new Error('tunnel closed during the handshake')));
  });
}

/** Reads from a socket until `done(text)` says the answer is complete or the socket closes. */
export function readUntil(
  socket: Socket,
  done: (text: string) => boolean,
  timeoutMs = 5000,
): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const finish = (): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      resolve(text);
    };
    const onData = (c: Buffer): void => {
      text += c.toString('utf8');
      if (done(text)) finish();
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('data', onData);
    socket.once('close', finish);
  });
}
