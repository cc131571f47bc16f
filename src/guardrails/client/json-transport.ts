import http from 'node:http';
import https from 'node:https';

/** Why a call to the service did not produce a usable answer. Stable ids, used in audit events. */
export type FallbackReason =
  'timeout' | 'unreachable' | 'http_status' | 'invalid_response' | 'breaker_open' | 'too_large';

/** What one HTTP exchange ended with. Never carries the texts sent. */
export type TransportOutcome =
  | { ok: true; status: number; body: unknown }
  | { ok: false; reason: 'timeout' | 'unreachable' | 'invalid_response'; detail: string }
  | { ok: false; reason: 'http_status'; detail: string; status: number };

/** Options of {@link JsonTransport}. */
export interface JsonTransportOptions {
  /** Base URL of the service, `http://` or `https://`. */
  baseUrl: URL;
  /** Largest response body accepted, in bytes; a bigger one is an invalid response. */
  maxResponseBytes: number;
  /** Idle keep-alive sockets kept per host. */
  maxSockets: number;
}

/**
 * JSON over HTTP with keep-alive and a hard deadline per exchange, on node:http (Node 20, 22 and 24
 * behave the same; no global fetch dispatcher is touched). Never throws and never rejects: every
 * failure becomes an outcome with a reason.
 *
 * @example
 * const t = new JsonTransport({ baseUrl: new URL('http://127.0.0.1:8700'), maxResponseBytes: 1 << 24, maxSockets: 16 });
 * const out = await t.request('GET', '/healthz', undefined, 150);
 * if (out.ok) console.log(out.status, out.body);
 * t.close();
 */
export class JsonTransport {
  readonly #base: URL;
  readonly #agent: http.Agent;
  readonly #maxResponseBytes: number;
  readonly #request: typeof http.request;

  constructor(options: JsonTransportOptions) {
    this.#base = options.baseUrl;
    const secure = this.#base.protocol === 'https:';
    const agentOptions = {
      keepAlive: true,
      maxSockets: options.maxSockets,
      maxFreeSockets: options.maxSockets,
    };
    this.#agent = secure ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
    this.#request = secure ? https.request : http.request;
    this.#maxResponseBytes = options.maxResponseBytes;
  }

  /**
   * Sends `body` (JSON) to `path` and reads the JSON answer, aborting after `deadlineMs`. A non-2xx
   * status is `http_status`; an unparsable or oversized answer is `invalid_response`.
   */
  request(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    deadlineMs: number,
  ): Promise<TransportOutcome> {
    return new Promise((resolve) => {
      let settled = false;
      const finish = (outcome: TransportOutcome): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(outcome);
      };
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body), 'utf8');
      const url = new URL(path, this.#base);
      const req = this.#request(url, {
        method,
        agent: this.#agent,
        headers: {
          accept: 'application/json',
          ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
        },
      });
      const timer = setTimeout(() => {
        finish({ ok: false, reason: 'timeout', detail: `no answer within ${deadlineMs} ms` });
        req.destroy();
      }, deadlineMs);
      req.on('error', (err: NodeJS.ErrnoException) => {
        finish({ ok: false, reason: 'unreachable', detail: err.code ?? err.message });
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > this.#maxResponseBytes) {
            finish({
              ok: false,
              reason: 'invalid_response',
              detail: `answer larger than ${this.#maxResponseBytes} bytes`,
            });
            res.destroy();
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', (err: Error) => finish({ ok: false, reason: 'unreachable', detail: err.message }));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status < 200 || status > 299) {
            finish({ ok: false, reason: 'http_status', detail: `HTTP ${status}`, status });
            return;
          }
          try {
            finish({ ok: true, status, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown });
          } catch {
            finish({ ok: false, reason: 'invalid_response', detail: 'answer is not JSON' });
          }
        });
      });
      req.end(payload);
    });
  }

  /** Closes the pooled keep-alive sockets. */
  close(): void {
    this.#agent.destroy();
  }
}
