/**
 * Protocol upgrades (WebSocket) on an intercepted or plain-HTTP flow. The upgrade request itself goes
 * through the same destination checks and outbound head stages as any request (so a secret placeholder
 * in its Authorization header is swapped for bound hosts only); after the 101 the frames are relayed
 * both ways unscanned. docs/proxy.md says so.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { describeTlsFailure } from '../tls/tls-failure.js';
import type { FlowContext } from '../flow/flow-context.js';
import { processOutbound } from '../pipeline/outbound.js';
import { resolveDestination } from './destination.js';
import { writeRawRefusal } from './error-response.js';
import type { ExchangeDeps } from './exchange.js';
import { endToEndHeaders } from './headers.js';
import { ErrorCode } from '../../errors.js';

/**
 * Relays an upgrade request and then the raw connection. Never throws.
 *
 * @example
 * server.on('upgrade', (req, socket, head) => void handleUpgrade(req, socket, head, flow, deps));
 */
export async function handleUpgrade(
  req: IncomingMessage,
  client: Duplex,
  head: Buffer,
  flow: FlowContext,
  deps: ExchangeDeps,
): Promise<void> {
  const socket = client as Socket;
  try {
    const dest = await resolveDestination(req, flow, deps.recorder);
    if (!dest.ok) return writeRawRefusal(socket, dest.refusal);
    const host = dest.upstream.name;
    const info = { host, port: dest.upstream.port, method: req.method ?? 'GET', target: req.url ?? '/' };
    const upgrade = req.headers.upgrade ?? 'websocket';
    const headers = [
      ...endToEndHeaders(req.rawHeaders),
      ['Connection', 'Upgrade'] as const,
      ['Upgrade', upgrade] as const,
    ];
    const out = await processOutbound(flow.session, { host, target: dest.path, headers });
    for (const e of out.events) deps.recorder.record(flow, e, info);
    if (out.refusal) return writeRawRefusal(socket, out.refusal);
    let upstream: Socket;
    try {
      upstream = await flow.session.upstream.connectRaw(dest.upstream);
    } catch (err) {
      const failure = describeTlsFailure(err, host);
      return writeRawRefusal(socket, {
        status: 502,
        stage: 'upstream',
        code: ErrorCode.UPSTREAM_UNREACHABLE,
        message: failure.message,
      });
    }
    const lines = [
      `${req.method} ${out.target} HTTP/1.1`,
      ...out.headers.map(([n, v]) => `${n}: ${v}`),
      '',
      '',
    ];
    upstream.write(lines.join('\r\n'));
    if (head.length > 0) upstream.write(head);
    const close = (): void => {
      socket.destroy();
      upstream.destroy();
    };
    socket.on('error', close);
    upstream.on('error', close);
    socket.on('close', () => upstream.destroy());
    upstream.on('close', () => socket.destroy());
    socket.pipe(upstream);
    upstream.pipe(socket);
  } catch (err) {
    deps.logger.error('proxy: internal error on an upgrade; closed', { error: String(err) });
    socket.destroy();
  }
}
