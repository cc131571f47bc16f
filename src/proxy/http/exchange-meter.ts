/**
 * Sizes and timing of one HTTP exchange, reported as one `request_completed` event when the client's
 * response closes (finished, cut or abandoned). This is what the daemon's latency histogram is made of.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { AuditRecorder, RequestInfo } from '../audit-recorder.js';
import type { FlowContext } from '../flow/flow-context.js';

/**
 * Counts the body bytes of one exchange and records `request_completed` when it ends.
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
  #responseBytes = 0;
  readonly #started = performance.now();

  constructor(req: IncomingMessage, res: ServerResponse, flow: FlowContext, recorder: AuditRecorder) {
    this.info = { method: req.method ?? 'GET', target: req.url ?? '/' };
    this.#countWrites(res);
    res.once('close', () => {
      recorder.record(
        flow,
        {
          type: 'request_completed',
          status: res.headersSent ? res.statusCode : 0,
          requestBytes: this.requestBytes,
          responseBytes: this.#responseBytes,
          durationMs: Math.round((performance.now() - this.#started) * 1000) / 1000,
          mode: flow.mode,
          completed: res.writableFinished,
        },
        this.info,
      );
    });
  }

  /** Counts the body bytes given to write/end, whichever path (pipe, stream, whole, refusal) wrote them. */
  #countWrites(res: ServerResponse): void {
    const count = (chunk: unknown, encoding: unknown): void => {
      if (typeof chunk === 'string') {
        this.#responseBytes += Buffer.byteLength(
          chunk,
          typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8',
        );
      } else if (chunk instanceof Uint8Array) this.#responseBytes += chunk.byteLength;
    };
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.write = ((...args: unknown[]) => {
      count(args[0], args[1]);
      return write(...args);
    }) as ServerResponse['write'];
    res.end = ((...args: unknown[]) => {
      if (typeof args[0] !== 'function') count(args[0], args[1]);
      return end(...args);
    }) as ServerResponse['end'];
  }
}
