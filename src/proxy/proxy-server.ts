/**
 * The declaw proxy: one per host, serving every sandbox. It composes the front doors (explicit
 * CONNECT/absolute-form, transparent redirected 80/443), the egress decision, TLS splice or
 * interception, and the HTTP pipeline, and reports every decision to an audit sink.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createInjectionScorer } from '../content/injection/scorer.js';
import { createPiiScanner } from '../content/pii/scanner.js';
import type { InjectionScorer } from '../content/injection/types.js';
import type { PiiScanner } from '../content/pii/types.js';
import type { GuardrailsPort } from '../content/guardrails-port.js';
import { nullAuditSink, type AuditSink } from '../audit/sink.js';
import { InvalidArgumentError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import { AuditRecorder } from './audit-recorder.js';
import type { Resolver } from './egress/resolver.js';
import { labRanges, type LabNetwork } from './egress/lab-network.js';
import { upstreamTimeouts, type UpstreamTimeouts } from './http/upstream-timeouts.js';
import { FlowTable, type FlowContext } from './flow/flow-context.js';
import type { FlowDeps } from './flow/tls-flow.js';
import { ExplicitFrontDoor, type ExplicitListenOptions } from './front-door/explicit.js';
import { TransparentFrontDoor, type TransparentListenOptions } from './front-door/transparent.js';
import { handleExchange, type ExchangeDeps } from './http/exchange.js';
import { MeteredResponse } from './http/exchange-meter.js';
import { internalRefusal, sendRefusal } from './http/error-response.js';
import { handleUpgrade } from './http/upgrade.js';
import { SessionRegistry } from './session-registry.js';
import type { UpstreamTrust } from './tls/upstream-trust.js';

/** Default largest body the proxy reads when it must scan it: 10 MiB. */
export const DEFAULT_SCAN_LIMIT = 10 * 1024 * 1024;
/** Default wait for a ClientHello (or the first request on port 80). */
export const DEFAULT_PEEK_TIMEOUT_MS = 10_000;

/** Options of {@link ProxyServer}. */
export interface ProxyServerOptions {
  /** CAs upstream servers are verified against. */
  upstreamTrust: UpstreamTrust;
  /** Where audit events go (only those of sessions whose policy audits). Default: dropped. */
  auditSink?: AuditSink;
  /**
   * Gets every event of every session, including sessions whose policy turned auditing off, so
   * counters and latency histograms cover all traffic. For aggregates only: a sink that kept events
   * per sandbox here would undo `audit.enabled: false`. Default: none.
   */
  metricsSink?: AuditSink;
  logger?: Logger;
  /** Largest body read for scanning, in bytes (default 10 MiB); larger ones are refused when scanning is required. */
  scanLimitBytes?: number;
  peekTimeoutMs?: number;
  /** Name resolution for egress decisions. Default: the system resolver (/etc/hosts applies). */
  resolver?: Resolver;
  /** This host's addresses (refused as destinations). Default: read from the interfaces. */
  hostAddresses?: Iterable<string>;
  /** PII scanner and injection scorer shared by all sessions. Default: the built-in ones. */
  scanner?: PiiScanner;
  injectionScorer?: InjectionScorer;
  /**
   * The Guardrails Service client (a `GuardrailsClient`, e.g. from `guardrailsClientFromEnv`, which
   * GUARDRAILS_URL enables). Default: none, the built-in engines alone. The proxy does not close it.
   */
  guardrails?: GuardrailsPort;
  /**
   * How long upstream servers may take before the client gets a 504: `connectMs` (TCP + TLS, default
   * 10 s), `responseHeadMs` (request sent → response head, default 600 s), `bodyIdleMs` (silence inside
   * a response body while the client reads, default 300 s). See {@link UpstreamTimeouts}.
   */
  upstreamTimeouts?: Partial<UpstreamTimeouts>;
  /**
   * Offline and lab worlds only (declaw demo, tests, air-gapped labs): private ranges reachable as if
   * public, e.g. `{ reachablePrivateRanges: ['10.77.0.0/24'] }`. It reopens SSRF to those ranges, so
   * it exists only here, never in a policy file; each use is logged as a warning. See {@link LabNetwork}.
   */
  labNetwork?: LabNetwork;
}

/**
 * The proxy. Register sandboxes in {@link sessions}, then open front doors.
 *
 * @example
 * const proxy = new ProxyServer({ upstreamTrust: await UpstreamTrust.load(), auditSink });
 * const session = await proxy.sessions.add({ id: 'sbx-1', policy });
 * const { port } = await proxy.listenExplicit({ port: 8080, sessionId: 'sbx-1' });
 * // HTTPS_PROXY=http://127.0.0.1:8080 with session.ca.certificatePem trusted
 */
export class ProxyServer {
  readonly sessions: SessionRegistry;
  readonly #flows = new FlowTable();
  readonly #logger: Logger;
  readonly #decrypted: http.Server<typeof http.IncomingMessage, typeof MeteredResponse>;
  readonly #flowDeps: FlowDeps;
  readonly #exchange: ExchangeDeps;
  readonly #peekTimeoutMs: number;
  readonly #doors: Array<{ close(): Promise<void> }> = [];

  constructor(options: ProxyServerOptions) {
    this.#logger = options.logger ?? silentLogger;
    const scanLimit = options.scanLimitBytes ?? DEFAULT_SCAN_LIMIT;
    if (!Number.isInteger(scanLimit) || scanLimit < 1024) {
      throw new InvalidArgumentError(
        'scanLimitBytes',
        `must be a whole number of bytes, at least 1024; got ${scanLimit}`,
      );
    }
    this.#peekTimeoutMs = options.peekTimeoutMs ?? DEFAULT_PEEK_TIMEOUT_MS;
    const timeouts = upstreamTimeouts(options.upstreamTimeouts);
    const trustedRanges = labRanges(options.labNetwork);
    if (trustedRanges.length > 0) {
      this.#logger.warn('proxy: lab network: these private ranges are reachable as if public', {
        reachablePrivateRanges: trustedRanges,
      });
    }
    this.sessions = new SessionRegistry({
      scanner: options.scanner ?? createPiiScanner({ logger: this.#logger }),
      injectionScorer: options.injectionScorer ?? createInjectionScorer(),
      ...(options.guardrails ? { guardrails: options.guardrails } : {}),
      upstreamTrust: options.upstreamTrust,
      connectTimeoutMs: timeouts.connectMs,
      logger: this.#logger,
      egress: {
        ...(options.resolver ? { resolver: options.resolver } : {}),
        ...(options.hostAddresses ? { hostAddresses: options.hostAddresses } : {}),
        trustedRanges,
      },
    });
    const recorder = new AuditRecorder(options.auditSink ?? nullAuditSink, this.#logger, {
      ...(options.metricsSink ? { metrics: options.metricsSink } : {}),
    });
    this.#exchange = { recorder, logger: this.#logger, scanLimit, timeouts };
    this.#decrypted = http.createServer({ keepAliveTimeout: 30_000, ServerResponse: MeteredResponse });
    this.#decrypted.on('request', (req, res) => {
      const flow = this.#flows.get(req.socket);
      if (!flow) return sendRefusal(res, internalRefusal('connection without a flow'), true);
      void handleExchange(req, res, flow, this.#exchange);
    });
    this.#decrypted.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
      const flow = this.#flows.get(req.socket);
      if (!flow) return void socket.destroy();
      void handleUpgrade(req, socket, head, flow, this.#exchange);
    });
    this.#decrypted.on('clientError', (_err, socket) => socket.destroy());
    this.#flowDeps = {
      recorder,
      logger: this.#logger,
      connectTimeoutMs: timeouts.connectMs,
      serveHttp: (socket: Socket, flow: FlowContext) => {
        this.#flows.set(socket, flow);
        this.#decrypted.emit('connection', socket);
        socket.resume();
      },
    };
  }

  /**
   * Opens an explicit proxy listener (for `HTTPS_PROXY`). With `sessionId`, clients that send no
   * Proxy-Authorization are served that session.
   */
  async listenExplicit(options: ExplicitListenOptions = {}): Promise<AddressInfo> {
    const door = new ExplicitFrontDoor(
      {
        ...this.#flowDeps,
        sessions: this.sessions,
        flows: this.#flows,
        exchange: this.#exchange,
        peekTimeoutMs: this.#peekTimeoutMs,
      },
      options.sessionId,
    );
    const address = await door.listen(options);
    this.#doors.push(door);
    return address;
  }

  /** Opens a transparent listener for connections redirected by iptables (see docs/proxy.md). */
  async listenTransparent(options: TransparentListenOptions = {}): Promise<AddressInfo> {
    const door = new TransparentFrontDoor(
      { ...this.#flowDeps, sessions: this.sessions, flows: this.#flows, peekTimeoutMs: this.#peekTimeoutMs },
      options,
    );
    const address = await door.listen();
    this.#doors.push(door);
    return address;
  }

  /** Closes every listener and connection and removes every session. */
  async close(): Promise<void> {
    await Promise.all(this.#doors.splice(0).map((d) => d.close()));
    this.#decrypted.closeAllConnections();
    this.sessions.clear();
  }
}
