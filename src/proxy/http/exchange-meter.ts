/**
 * Sizes and timing of one HTTP exchange, reported as one `request_completed` event when the client's
 * response closes (finished, cut or abandoned). This is what the daemon's latency histogram is made of.
 */
import http, { type IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { AuditRecorder, RequestInfo } from '../audit-recorder.js';
import type { FlowContext } from '../flow/flow-context.js';

/**
 * The proxy's client-side response: counts the body bytes given to `write`/`end`, whichever path
 * (pipe, stream, whole body, refusal) wrote them. A class of its own (the decrypted server's
 * `ServerResponse` option) rather than wrappers set on each response: no closures per request, and
 * every response keeps Node's own object shape.
 *
 * @example
 * const server = http.createServer({ ServerResponse: MeteredResponse });
 * server.on('request', (req, res) => (res as MeteredResponse).bodyBytes);
 */
export class MeteredResponse extends http.ServerResponse {
  /** Body bytes written so far. */
  bodyBytes = 0;

  #count(chunk: unknown, encoding: unknown): void {
    if (typeof chunk === 'string') {
      this.bodyBytes += Buffer.byteLength(
        chunk,
        typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8',
      );
    } else if (chunk instanceof Uint8Array) this.bodyBytes += chunk.byteLength;
  }

  // `any` as in Node's own overloads: these pass whatever they get to ServerResponse unchanged.
  /* eslint-disable @typescript-eslint/no-explicit-any */
  override write(chunk: any, encoding?: any, callback?: any): boolean {
    this.#count(chunk, encoding);
    return super.write(chunk, encoding, callback);
  }

  override end(chunk?: any, encoding?: any, callback?: any): this {
    if (typeof chunk !== 'function') this.#count(chunk, encoding);
    return super.end(chunk, encoding, callback);
  }
  /* eslint-enable @typescript-eslint/no-explicit-any */
}

/**
 * Times one exchange and records `request_completed` when it ends.
 *
 * @example
 * const meter = new ExchangeMeter(req, res, flow, recorder);
 * meter.info = { host, port, method, target };  // once the destination is known
 * meter.requestBytes += body.length;            // what went upstream
 */
export class ExchangeMeter {
  /** Request details of the event; refined once the destination is known. */
  info: RequestInfo;
  /** Body bytes sent upstream. */
  requestBytes = 0;
  readonly #started = performance.now();

  constructor(req: IncomingMessage, res: MeteredResponse, flow: FlowContext, recorder: AuditRecorder) {
    this.info = { method: req.method ?? 'GET', target: req.url ?? '/' };
    res.once('close', () => {
      recorder.record(
        flow,
        {
          type: 'request_completed',
          status: res.headersSent ? res.statusCode : 0,
          requestBytes: this.requestBytes,
          responseBytes: res.bodyBytes,
          durationMs: Math.round((performance.now() - this.#started) * 1000) / 1000,
          mode: flow.mode,
          completed: res.writableFinished,
        },
        this.info,
      );
    });
  }
}
