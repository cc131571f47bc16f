/**
 * The explicit front door: an HTTP proxy for clients configured with `HTTPS_PROXY=http://host:port`
 * (and `HTTP_PROXY`). `CONNECT host:443` opens a tunnel that is decided by the egress stage before
 * the `200` goes out, then spliced or intercepted like a transparent connection; absolute-form
 * requests (`GET http://host/path`) go straight into the HTTP pipeline. No root, no sandbox needed.
 */
import http, { type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { peekClientHello } from '../tls/peek-client-hello.js';
import type { FlowContext, FlowTable } from '../flow/flow-context.js';
import {
  checkHello,
  dialVetted,
  intercept,
  prepareIntercept,
  recordAllowed,
  recordBlocked,
  splice,
  type FlowDeps,
} from '../flow/tls-flow.js';
import { MeteredResponse } from '../http/exchange-meter.js';
import { handleExchange, type ExchangeDeps } from '../http/exchange.js';
import { handleUpgrade } from '../http/upgrade.js';
import { egressRefusal } from '../http/destination.js';
import { sendRefusal, writeRawRefusal, type ProxyRefusal } from '../http/error-response.js';
import { splitHostPort } from '../http/headers.js';
import type { SessionRegistry } from '../session-registry.js';
import type { ProxySession } from '../session.js';
import { sessionForRequest } from './proxy-auth.js';
import { UpstreamTimeoutError, timeoutRefusal } from '../http/upstream-timeouts.js';
import { ErrorCode } from '../../errors.js';

/** What the explicit front door needs from the proxy. */
export interface ExplicitDeps extends FlowDeps {
  sessions: SessionRegistry;
  flows: FlowTable;
  exchange: ExchangeDeps;
  /** How long to wait for a ClientHello after `200 Connection Established`. */
  peekTimeoutMs: number;
}

/** Options of one explicit listener. */
export interface ExplicitListenOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** Serve this session to clients that send no Proxy-Authorization. */
  sessionId?: string;
}

const AUTH_REQUIRED: ProxyRefusal = {
  status: 407,
  stage: 'proxy',
  code: ErrorCode.PROXY_AUTH_REQUIRED,
  message:
    'this declaw proxy serves several sandboxes: name yours with Proxy-Authorization (HTTPS_PROXY=http://<sandbox id>:<token>@host:port)',
};

/**
 * One listening explicit proxy.
 *
 * @example
 * const door = new ExplicitFrontDoor(deps, 'sbx-1');
 * await door.listen({ host: '127.0.0.1', port: 8080 });
 */
export class ExplicitFrontDoor {
  readonly server: http.Server<typeof IncomingMessage, typeof MeteredResponse>;
  /** Tunnels leave the HTTP server's bookkeeping after CONNECT; kept here so close() ends them. */
  readonly #tunnels = new Set<Socket>();

  constructor(
    private readonly deps: ExplicitDeps,
    private readonly boundSessionId: string | undefined,
  ) {
    this.server = http.createServer({ keepAliveTimeout: 30_000, ServerResponse: MeteredResponse });
    this.server.on('connect', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      void this.onConnect(req, socket as Socket, head);
    });
    this.server.on('request', (req, res) => {
      const flow = this.flowFor(req);
      if (!flow) return sendRefusal(res, AUTH_REQUIRED);
      if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(req.url ?? '')) {
        return sendRefusal(res, {
          status: 400,
          stage: 'proxy',
          code: ErrorCode.BAD_REQUEST,
          message: 'this is the declaw proxy, not a web server: set HTTPS_PROXY/HTTP_PROXY to its address',
        });
      }
      void handleExchange(req, res, flow, this.deps.exchange);
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const flow = this.flowFor(req);
      if (!flow) return writeRawRefusal(socket as Socket, AUTH_REQUIRED);
      void handleUpgrade(req, socket, head, flow, this.deps.exchange);
    });
    this.server.on('clientError', (_err, socket) => socket.destroy());
  }

  /** Starts listening; resolves with the bound address. */
  listen(options: ExplicitListenOptions = {}): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  close(): Promise<void> {
    for (const s of this.#tunnels) s.destroy();
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** The flow of a plain proxy connection (absolute-form requests), one per socket and session. */
  private flowFor(req: IncomingMessage): FlowContext | undefined {
    const session = sessionForRequest(req, this.deps.sessions, this.boundSessionId);
    if (!session) return undefined;
    const existing = this.deps.flows.get(req.socket);
    if (existing && existing.session === session) return existing;
    const flow = this.newFlow(session, req.socket, undefined, 80, 'http');
    this.deps.flows.set(req.socket, flow);
    return flow;
  }

  private newFlow(
    session: ProxySession,
    socket: Socket,
    host: string | undefined,
    port: number,
    mode: FlowContext['mode'],
  ): FlowContext {
    return {
      flowId: this.deps.flows.nextId(),
      session,
      frontDoor: 'explicit',
      clientAddress: socket.remoteAddress ?? '',
      ...(host !== undefined ? { host } : {}),
      port,
      mode,
    };
  }

  private async onConnect(req: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    this.#tunnels.add(socket);
    socket.once('close', () => this.#tunnels.delete(socket));
    try {
      const session = sessionForRequest(req, this.deps.sessions, this.boundSessionId);
      if (!session) return writeRawRefusal(socket, AUTH_REQUIRED);
      const authority = splitHostPort(req.url ?? '');
      if (!authority || authority.port === undefined) {
        return writeRawRefusal(socket, {
          status: 400,
          stage: 'proxy',
          code: ErrorCode.BAD_REQUEST,
          message: `CONNECT needs host:port, got "${(req.url ?? '').slice(0, 100)}"`,
        });
      }
      const flow = this.newFlow(
        session,
        socket,
        authority.host,
        authority.port,
        session.intercepts ? 'intercept' : 'splice',
      );
      const decision = await session.egress.decide(authority.host);
      if (!decision.allowed) {
        recordBlocked(this.deps, flow, decision.reason, decision.detail, decision.rule);
        return writeRawRefusal(socket, egressRefusal(authority.host, decision.detail, decision.rule));
      }
      flow.address = decision.addresses[0]!.address;

      // A splice dials first, so an unreachable server is a clear 502 rather than a dead tunnel.
      let upstream: Socket | undefined;
      if (session.intercepts) prepareIntercept(flow);
      else {
        try {
          upstream = await dialVetted(flow, this.deps.connectTimeoutMs);
        } catch (err) {
          if (err instanceof UpstreamTimeoutError) {
            this.deps.recorder.record(flow, {
              type: 'upstream_timeout',
              stage: 'connect',
              timeoutMs: err.timeoutMs,
              answered: true,
            });
            return writeRawRefusal(socket, timeoutRefusal(err));
          }
          return writeRawRefusal(socket, {
            status: 502,
            stage: 'upstream',
            code: ErrorCode.UPSTREAM_UNREACHABLE,
            message: `cannot reach ${authority.host}:${authority.port}: ${(err as Error).message}`,
          });
        }
      }
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) socket.unshift(head);
      const peeked = await peekClientHello(socket, { timeoutMs: this.deps.peekTimeoutMs });
      const hello = checkHello(peeked, authority.host);
      if (hello.kind === 'refused') {
        // A spliced tunnel that never speaks first (a server-first protocol) is still just bytes.
        if (upstream && peeked.result.kind === 'timeout') {
          recordAllowed(this.deps, flow, decision);
          return splice(socket, upstream);
        }
        recordBlocked(this.deps, flow, hello.refusal.reason, hello.refusal.detail);
        upstream?.destroy();
        return void socket.destroy();
      }
      if (upstream) {
        recordAllowed(this.deps, flow, decision);
        return splice(socket, upstream);
      }
      if (hello.kind === 'plain') {
        // Plain HTTP inside a tunnel, and bodies must be read: serve it as HTTP bound to this host.
        flow.mode = 'http';
        flow.allowed = new Map([[`${authority.host}:${authority.port}`, flow.address]]);
      }
      recordAllowed(this.deps, flow, decision);
      if (hello.kind === 'plain') return this.deps.serveHttp(socket, flow);
      await intercept(socket, flow, this.deps);
    } catch (err) {
      this.deps.logger.error('proxy: internal error on CONNECT; closed', { error: String(err) });
      socket.destroy();
    }
  }
}
