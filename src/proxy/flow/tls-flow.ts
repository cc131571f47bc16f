/**
 * What happens to a connection once the destination is known and the client's first bytes are in:
 * the ClientHello checks of stage 2 (SNI present, no ECH, SNI naming the destination), then either a
 * splice of the untouched bytes (the policy reads no bodies) or TLS interception with the sandbox's
 * own CA (it does). Shared by the explicit (CONNECT) and transparent front doors.
 */
import net, { type Socket } from 'node:net';
import tls from 'node:tls';
import type { Logger } from '../../logger.js';
import type { EgressDecision } from '../egress/egress-policy.js';
import type { PeekedClientHello } from '../tls/peek-client-hello.js';
import { INTERCEPT_ALPN } from '../tls/leaf-cache.js';
import type { AuditRecorder } from '../audit-recorder.js';
import type { FlowContext } from './flow-context.js';
import { UpstreamTimeoutError } from '../http/upstream-timeouts.js';

/** What a flow needs from the proxy. */
export interface FlowDeps {
  recorder: AuditRecorder;
  logger: Logger;
  /** Hands a decrypted (or plain-HTTP) socket to the proxy's HTTP layer. */
  serveHttp(socket: Socket, flow: FlowContext): void;
  /** Limit on connecting to the upstream (a splice's TCP connect), in ms. */
  connectTimeoutMs: number;
}

/** Why a ClientHello was refused: stable reasons for the audit log. */
export type HelloRefusal = { reason: string; detail: string };

/**
 * Checks the peeked first bytes of a connection. `expected` is the destination already named (CONNECT
 * authority); the transparent front door has none and takes the SNI.
 *
 * Returns the host to use, `plain` for non-TLS bytes the caller may serve as HTTP, or a refusal.
 *
 * @example
 * const hello = checkHello(await peekClientHello(socket, { timeoutMs: 10_000 }), 'api.openai.com');
 * if (hello.kind === 'refused') recordBlocked(deps, flow, hello.refusal.reason, hello.refusal.detail);
 */
export function checkHello(
  peeked: PeekedClientHello,
  expected: string | undefined,
): { kind: 'tls'; host: string } | { kind: 'plain' } | { kind: 'refused'; refusal: HelloRefusal } {
  const r = peeked.result;
  const refuse = (reason: string, detail: string) => ({
    kind: 'refused' as const,
    refusal: { reason, detail },
  });
  if (r.kind === 'not-tls') return { kind: 'plain' };
  if (r.kind === 'timeout') return refuse('not_tls', 'the client sent no TLS ClientHello in time');
  if (r.kind === 'closed')
    return refuse('not_tls', 'the client closed the connection before its ClientHello');
  if (r.kind === 'malformed') return refuse('malformed_hello', `malformed ClientHello: ${r.reason}`);
  if (r.kind === 'need-more') return refuse('malformed_hello', 'incomplete ClientHello');
  if (r.hasEch) {
    return refuse('ech', 'the ClientHello uses Encrypted Client Hello, which hides the real destination');
  }
  if (r.sni === undefined) {
    if (expected !== undefined && net.isIP(expected) !== 0) return { kind: 'tls', host: expected };
    return refuse('no_sni', 'the ClientHello names no server (no SNI), so the destination cannot be checked');
  }
  if (expected !== undefined && r.sni !== expected.toLowerCase().replace(/\.$/, '')) {
    return refuse('sni_mismatch', `the ClientHello names ${r.sni} but the tunnel was opened to ${expected}`);
  }
  return { kind: 'tls', host: r.sni };
}

/**
 * Records the egress_allowed event of a flow that passed every check.
 *
 * @example
 * if (decision.allowed) recordAllowed(deps, flow, decision);
 */
export function recordAllowed(
  deps: FlowDeps,
  flow: FlowContext,
  decision: Extract<EgressDecision, { allowed: true }>,
): void {
  deps.recorder.record(flow, {
    type: 'egress_allowed',
    reason: decision.reason,
    ...(decision.rule !== undefined ? { rule: decision.rule } : {}),
    address: flow.address,
    mode: flow.mode,
    frontDoor: flow.frontDoor,
    ...(flow.originalDst !== undefined ? { originalDst: flow.originalDst } : {}),
  });
}

/**
 * Records a refused flow.
 *
 * @example
 * recordBlocked(deps, flow, 'no_sni', 'the ClientHello names no server');
 */
export function recordBlocked(
  deps: FlowDeps,
  flow: FlowContext,
  reason: string,
  detail: string,
  rule?: string,
): void {
  deps.recorder.record(flow, {
    type: 'egress_blocked',
    reason,
    ...(rule !== undefined ? { rule } : {}),
    detail,
    frontDoor: flow.frontDoor,
    ...(flow.originalDst !== undefined ? { originalDst: flow.originalDst } : {}),
  });
}

/**
 * Dials the vetted address of a flow (plain TCP: a splice carries the client's own TLS). Rejects with
 * an {@link UpstreamTimeoutError} when the connection takes longer than `timeoutMs`.
 *
 * @example
 * flow.address = decision.addresses[0]!.address;
 * splice(client, await dialVetted(flow, 10_000));
 */
export function dialVetted(flow: FlowContext, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const upstream = net.connect({ host: flow.address as string, port: flow.port });
    upstream.setNoDelay(true);
    const timer = setTimeout(
      () =>
        upstream.destroy(new UpstreamTimeoutError('connect', timeoutMs, flow.host ?? String(flow.address))),
      timeoutMs,
    );
    upstream.once('connect', () => {
      clearTimeout(timer);
      upstream.off('error', reject);
      resolve(upstream);
    });
    upstream.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/**
 * Starts the slow parts of a first intercepted request while the client is still busy with its own
 * handshake: the leaf certificate for `flow.host` and a verified connection to the upstream. Both are
 * picked up later (the leaf cache is single-flight, the pool hands the warm connection to the first
 * request); failures here are left for those later steps to report.
 *
 * @example
 * flow.address = decision.addresses[0]!.address;
 * prepareIntercept(flow); // then write "200 Connection Established" and read the ClientHello
 */
export function prepareIntercept(flow: FlowContext): void {
  const host = flow.host as string;
  flow.session.leafCache.leafFor(host).catch(() => undefined);
  flow.session.upstream.warm({ name: host, address: flow.address as string, port: flow.port, tls: true });
}

/**
 * Joins client and upstream byte for byte until either side closes.
 *
 * @example
 * splice(clientSocket, await dialVetted(flow));
 */
export function splice(client: Socket, upstream: Socket): void {
  client.setNoDelay(true);
  const close = (): void => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', close);
  upstream.on('error', close);
  client.on('close', () => upstream.destroy());
  upstream.on('close', () => client.destroy());
  client.pipe(upstream);
  upstream.pipe(client);
  client.resume();
}

/**
 * Terminates the client's TLS with a leaf for `flow.host` signed by the sandbox's CA (ALPN http/1.1)
 * and serves the decrypted stream as HTTP. A client that refuses the certificate (it does not trust
 * the sandbox CA) is audited as a client-side tls_error.
 *
 * @example
 * if (flow.session.intercepts) await intercept(clientSocket, flow, deps);
 */
export async function intercept(client: Socket, flow: FlowContext, deps: FlowDeps): Promise<void> {
  client.setNoDelay(true);
  const secureContext = await flow.session.leafCache.secureContextFor(flow.host as string);
  const tlsSocket = new tls.TLSSocket(client, {
    isServer: true,
    secureContext,
    ALPNProtocols: [...INTERCEPT_ALPN],
  });
  // Node's TLS clients reject an untrusted certificate by closing mid-handshake, usually without an
  // alert: a connection that closes or fails before 'secure' is reported as the client's refusal.
  let settled = false;
  const failed = (why: string): void => {
    if (settled) return;
    settled = true;
    deps.recorder.record(flow, {
      type: 'tls_error',
      side: 'client',
      category: 'handshake',
      message: `the sandboxed client abandoned the TLS handshake for ${flow.host} (${why}); it probably does not trust the sandbox CA: add the CA certificate to its trust store (SSL_CERT_FILE, NODE_EXTRA_CA_CERTS, REQUESTS_CA_BUNDLE)`,
    });
  };
  tlsSocket.once('secure', () => {
    settled = true;
  });
  tlsSocket.on('error', (err: Error & { code?: string }) => {
    failed(err.code ?? err.message);
    tlsSocket.destroy();
  });
  tlsSocket.once('close', () => failed('connection closed'));
  deps.serveHttp(tlsSocket, flow);
}
