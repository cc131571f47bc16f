/**
 * One HTTP request/response on a flow, through the whole pipeline: destination (egress, fronting) →
 * outbound stages → upstream over a pinned, verified connection → inbound stages → client. Node's
 * HTTP parser does the framing (keep-alive, pipelining, chunked, Content-Length); this file decides.
 *
 * Fail closed: when a body had to be scanned and could not be (too large, undecodable, an internal
 * error), the message is refused and nothing of it is forwarded.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLargeError } from '../../errors.js';
import { parseBodyContentType } from '../../content/pii/body/content-type.js';
import type { Logger } from '../../logger.js';
import type { AuditRecorder, RequestInfo } from '../audit-recorder.js';
import type { FlowContext } from '../flow/flow-context.js';
import { processOutbound } from '../pipeline/outbound.js';
import { BodyDecodeError, decodeBody, parseContentEncoding, readBody } from './body-codec.js';
import { resolveDestination } from './destination.js';
import { ExchangeMeter, type MeteredResponse } from './exchange-meter.js';
import { UpstreamTimeoutError, type UpstreamTimeouts } from './upstream-timeouts.js';
import { internalRefusal, sendRefusal, type ProxyRefusal } from './error-response.js';
import {
  endToEndHeaders,
  flatHeaders,
  headerValue,
  limitAcceptEncoding,
  withHeader,
  withoutHeaders,
} from './headers.js';
import { relayResponse, upstreamFailure } from './response.js';
import { ErrorCode } from '../../errors.js';

/** What an exchange needs from the proxy. */
export interface ExchangeDeps {
  recorder: AuditRecorder;
  logger: Logger;
  /** Largest body (decoded) the proxy reads when it must scan it. */
  scanLimit: number;
  /** How long upstream servers may take (504 after that). */
  timeouts: UpstreamTimeouts;
}

/**
 * Handles one request; never throws (failures become 4xx/5xx answers).
 *
 * @example
 * const server = http.createServer({ ServerResponse: MeteredResponse });
 * server.on('request', (req, res) => void handleExchange(req, res as MeteredResponse, flows.get(req.socket)!, deps));
 */
export async function handleExchange(
  req: IncomingMessage,
  res: MeteredResponse,
  flow: FlowContext,
  deps: ExchangeDeps,
): Promise<void> {
  const meter = new ExchangeMeter(req, res, flow, deps.recorder);
  try {
    await exchange(req, res, flow, deps, meter);
  } catch (err) {
    deps.logger.error('proxy: internal error on a request; answered 502', {
      sandboxId: flow.session.id,
      error: err instanceof Error ? err.stack : String(err),
    });
    sendRefusal(res, internalRefusal('internal error'), true);
  }
}

async function exchange(
  req: IncomingMessage,
  res: ServerResponse,
  flow: FlowContext,
  deps: ExchangeDeps,
  meter: ExchangeMeter,
) {
  const { session } = flow;
  const dest = await resolveDestination(req, flow, deps.recorder);
  if (!dest.ok) return refuse(req, res, dest.refusal);
  const host = dest.upstream.name;
  const method = req.method ?? 'GET';
  const info: RequestInfo = { host, port: dest.upstream.port, method, target: req.url ?? '/' };
  meter.info = info;
  const record = (events: Parameters<AuditRecorder['record']>[1][]): void => {
    for (const e of events) deps.recorder.record(flow, e, info);
  };

  let headers = endToEndHeaders(req.rawHeaders);
  const contentType = headerValue(headers, 'content-type');
  const declaredLength = Number(req.headers['content-length'] ?? 0);
  const hasBody = declaredLength > 0 || req.headers['transfer-encoding'] !== undefined;
  const binary = parseBodyContentType(contentType).format === 'binary';
  const mustRead = hasBody && !binary && (session.content.needsOutboundBody(host) || !session.secrets.empty);

  let body: Buffer | undefined;
  if (mustRead) {
    const tooLarge = (): void => {
      record([{ type: 'content_not_scanned', direction: 'outbound', reason: 'too_large', refused: true }]);
      refuse(req, res, tooLargeRefusal(declaredLength, deps.scanLimit, 413), true);
    };
    if (declaredLength > deps.scanLimit) return tooLarge();
    // A client that goes away mid-body leaves nothing to answer.
    const read = await readBody(req, deps.scanLimit).catch(() => undefined);
    if (read === undefined) return void req.socket.destroy();
    if (!read.ok) return tooLarge();
    const codings = parseContentEncoding(headerValue(headers, 'content-encoding'));
    try {
      body = decodeBody(read.body, codings, deps.scanLimit);
    } catch (err) {
      if (!(err instanceof BodyDecodeError)) throw err;
      record([{ type: 'content_not_scanned', direction: 'outbound', reason: err.reason, refused: true }]);
      if (err.reason === 'too_large')
        return refuse(req, res, tooLargeRefusal(read.body.length, deps.scanLimit, 413));
      return refuse(req, res, {
        status: 415,
        stage: 'scan_limit',
        code: ErrorCode.UNSUPPORTED_ENCODING,
        message: `${err.message}; the policy requires scanning this request, so send it uncompressed or gzip/deflate/br`,
      });
    }
    if (codings.length > 0) headers = withoutHeaders(headers, 'content-encoding');
  }

  const out = await processOutbound(session, { host, target: dest.path, headers, body, contentType });
  record(out.events);
  if (out.refusal) return refuse(req, res, out.refusal, mustRead ? false : hasBody);
  headers = out.headers;
  if (out.body !== undefined) headers = withHeader(headers, 'Content-Length', String(out.body.length));
  const scanResponse = session.content.needsInboundBody(host) || !session.secrets.empty;
  if (scanResponse)
    headers = withHeader(
      headers,
      'Accept-Encoding',
      limitAcceptEncoding(headerValue(headers, 'accept-encoding')),
    );

  const upstreamReq = session.upstream.request(dest.upstream, {
    method,
    path: out.target,
    headers: flatHeaders(headers),
  });
  res.on('close', () => {
    if (!res.writableFinished) upstreamReq.destroy();
  });
  upstreamReq.on('error', (err) => upstreamFailure(err, res, flow, dest.upstream, info, deps));
  // The response-head wait starts once the whole request is out: a slow upload is not the server's fault.
  const headMs = deps.timeouts.responseHeadMs;
  let headTimer: NodeJS.Timeout | undefined;
  upstreamReq.once('finish', () => {
    headTimer = setTimeout(
      () => upstreamReq.destroy(new UpstreamTimeoutError('response_head', headMs, host)),
      headMs,
    );
  });
  upstreamReq.once('close', () => clearTimeout(headTimer));
  upstreamReq.on('response', (upstreamRes) => {
    clearTimeout(headTimer);
    relayResponse(upstreamRes, res, flow, { host, method, info }, deps).catch((err: unknown) => {
      deps.logger.error('proxy: internal error on a response; cut', { error: String(err) });
      upstreamRes.destroy();
      sendRefusal(res, internalRefusal('internal error on the response'), true);
    });
  });
  if (out.body !== undefined) {
    meter.requestBytes = out.body.length;
    upstreamReq.end(out.body);
  } else if (hasBody) {
    req.on('data', (chunk: Buffer) => (meter.requestBytes += chunk.length));
    req.pipe(upstreamReq);
  } else upstreamReq.end();
}

/** Sends a refusal; with an unread request body the connection is closed after it. */
function refuse(req: IncomingMessage, res: ServerResponse, refusal: ProxyRefusal, close = false): void {
  const unread =
    !req.readableEnded &&
    (req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined);
  sendRefusal(res, refusal, close || unread);
  if (close || unread) res.once('finish', () => req.socket.end());
}

/**
 * The refusal for a body over the scan limit.
 *
 * @example
 * sendRefusal(res, tooLargeRefusal(size, 10 * 1024 * 1024, 413), true);
 */
export function tooLargeRefusal(size: number, limit: number, status: number): ProxyRefusal {
  const e = new BodyTooLargeError(size, limit);
  return { status, stage: 'scan_limit', code: e.code, message: e.message, details: { limit } };
}
