/**
 * The daemon's HTTP server: a REST API compatible with what @declaw/sdk 1.3.0 sends (see
 * docs/api.md). Every request but /health needs an API key; errors are JSON with a stable code and
 * a status from the one mapping in errors.ts.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger, type Logger } from '../logger.js';
import type { ApiKeys } from './api-keys.js';
import { keyFromHeaders } from './api-keys.js';
import type { AuditQuery } from './audit-log.js';
import { UnauthorizedError } from './errors.js';
import { sendError, sendJson } from './http-io.js';
import type { DaemonMetrics } from './metrics.js';
import { Router } from './router.js';
import { auditRoutes } from './routes/audit.js';
import { commandRoutes } from './routes/commands.js';
import { fileRoutes } from './routes/files.js';
import { hostedOnlyRoutes } from './routes/hosted-only.js';
import { sandboxRoutes } from './routes/sandboxes.js';
import { DEFAULT_BODY_LIMITS, ServerState, type BodyLimits, type SandboxRuntime } from './server-state.js';

/** Options of {@link ApiServer}. */
export interface ApiServerOptions {
  runtime: SandboxRuntime;
  keys: ApiKeys;
  audit: AuditQuery;
  metrics?: DaemonMetrics;
  limits?: Partial<BodyLimits>;
  logger?: Logger;
  /** Version reported by /health. */
  version?: string;
}

/**
 * @example
 * const api = new ApiServer({ runtime: manager, keys: ApiKeys.of([key]), audit: log });
 * const { port } = await api.listen({ host: '127.0.0.1', port: 3535 });
 * // DECLAW_DOMAIN=127.0.0.1:3535 DECLAW_API_KEY=<key> node agent.js   (with @declaw/sdk)
 */
export class ApiServer {
  private readonly router = new Router();
  private readonly state: ServerState;
  private readonly server: http.Server;
  private readonly logger: Logger;

  constructor(private readonly o: ApiServerOptions) {
    this.logger = o.logger ?? silentLogger;
    this.state = new ServerState(o.runtime, o.audit, this.logger, { ...DEFAULT_BODY_LIMITS, ...o.limits });
    this.router.add('GET', '/health', ({ res }) =>
      sendJson(res, 200, { status: 'ok', version: o.version ?? '' }),
    );
    this.router.add('GET', '/metrics', async ({ res }) => {
      if (!o.metrics) {
        sendJson(res, 404, { code: 'DECLAW_ROUTE_NOT_FOUND', message: 'metrics are off in this daemon' });
        return;
      }
      const { text, contentType } = await o.metrics.render();
      res.writeHead(200, { 'content-type': contentType });
      res.end(text);
    });
    sandboxRoutes(this.router, this.state);
    commandRoutes(this.router, this.state);
    fileRoutes(this.router, this.state);
    auditRoutes(this.router, this.state);
    hostedOnlyRoutes(this.router);
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.requestTimeout = 0; // long-running command runs and streams
    this.server.headersTimeout = 30_000;
  }

  /** Whether a request may proceed: an API key, or the envd token of the sandbox it addresses. */
  private authorised(req: http.IncomingMessage, path: string): boolean {
    if (this.o.keys.verify(keyFromHeaders(req.headers))) return true;
    const token = req.headers['x-access-token'];
    const m = /^\/sandboxes\/([A-Za-z0-9_-]+)\//.exec(path);
    if (typeof token !== 'string' || !m) return false;
    try {
      return this.state.verifyToken(m[1] as string, token);
    } catch {
      return false;
    }
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    res.on('finish', () => this.o.metrics?.apiRequests.inc({ method, status: String(res.statusCode) }));
    try {
      const url = new URL(req.url ?? '/', 'http://declaw.invalid');
      const path = url.pathname.replace(/\/+$/, '') || '/';
      if (path !== '/health' && !this.authorised(req, path)) throw new UnauthorizedError();
      const { handler, params } = this.router.find(method, path);
      await handler({ req, res, params, query: url.searchParams, path });
    } catch (err) {
      if (!(err instanceof Error && 'code' in err))
        this.logger.error('api request failed', { method, url: req.url, err });
      // Drain what the client is still sending, so it reads the error instead of a reset.
      req.resume();
      sendError(res, err);
    }
  }

  /** Start listening; resolves with the bound address. */
  listen(o: { host: string; port: number }): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(o.port, o.host, () => {
        this.server.off('error', reject);
        const a = this.server.address() as AddressInfo;
        this.state.domain = `${a.address.includes(':') ? `[${a.address}]` : a.address}:${a.port}`;
        resolve({ host: a.address, port: a.port });
      });
    });
  }

  /** Stop accepting requests and end open connections. */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
