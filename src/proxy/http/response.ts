/**
 * The response side of an exchange: pass it through untouched when nothing inbound applies, stream it
 * through the inbound stages when it is a stream (SSE, NDJSON) or when secret masking is the only
 * stage, or read it whole (up to the scan limit), run the stages, and send it with a recomputed
 * Content-Length.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream';
import { parseBodyContentType } from '../../content/pii/body/content-type.js';
import { describeTlsFailure } from '../tls/tls-failure.js';
import type { AuditRecorder, RequestInfo } from '../audit-recorder.js';
import type { FlowContext } from '../flow/flow-context.js';
import { processInbound } from '../pipeline/inbound.js';
import { InboundStream, isStreamingMediaType } from '../pipeline/inbound-stream.js';
import { SecretMaskStream } from '../pipeline/secret-mask-stream.js';
import {
  BodyDecodeError,
  canDecode,
  decodeBody,
  decodingStream,
  parseContentEncoding,
  readBody,
} from './body-codec.js';
import { sendRefusal } from './error-response.js';
import { ErrorCode } from '../../errors.js';
import type { ExchangeDeps } from './exchange.js';
import { tooLargeRefusal } from './exchange.js';
import { endToEndHeaders, flatHeaders, headerValue, withHeader, withoutHeaders } from './headers.js';
import type { UpstreamTarget } from './upstream-pool.js';
import { UpstreamTimeoutError, timeoutRefusal, watchBodyIdle } from './upstream-timeouts.js';

/** The request a response answers. */
export interface ResponseContext {
  host: string;
  method: string;
  info: RequestInfo;
}

/** TLS failure categories that mean "the upstream certificate or handshake is wrong" (audited as tls_error). */
const TLS_CATEGORIES = new Set([
  'untrusted',
  'expired',
  'not-yet-valid',
  'name-mismatch',
  'revoked',
  'invalid-certificate',
  'handshake',
]);

/**
 * Answers 502 for an upstream that failed before responding; a TLS failure is audited as tls_error.
 *
 * @example
 * upstreamReq.on('error', (err) => upstreamFailure(err, res, flow, target, info, deps));
 */
export function upstreamFailure(
  err: Error,
  res: ServerResponse,
  flow: FlowContext,
  target: UpstreamTarget,
  info: RequestInfo,
  deps: ExchangeDeps,
): void {
  if (err instanceof UpstreamTimeoutError) recordTimeout(err, !res.headersSent, flow, info, deps);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (err instanceof UpstreamTimeoutError) return sendRefusal(res, timeoutRefusal(err));
  const failure = describeTlsFailure(err, target.name);
  if (target.tls && TLS_CATEGORIES.has(failure.category)) {
    deps.recorder.record(
      flow,
      { type: 'tls_error', side: 'upstream', category: failure.category, message: failure.message },
      info,
    );
    sendRefusal(res, {
      status: 502,
      stage: 'tls',
      code: ErrorCode.UPSTREAM_TLS,
      message: failure.message,
      details: { category: failure.category },
    });
    return;
  }
  sendRefusal(res, {
    status: 502,
    stage: 'upstream',
    code: ErrorCode.UPSTREAM_UNREACHABLE,
    message: `cannot reach ${target.name}:${target.port}: ${err.message}`,
  });
}

function recordTimeout(
  err: UpstreamTimeoutError,
  answered: boolean,
  flow: FlowContext,
  info: RequestInfo,
  deps: ExchangeDeps,
): void {
  deps.recorder.record(
    flow,
    { type: 'upstream_timeout', stage: err.stage, timeoutMs: err.timeoutMs, answered },
    info,
  );
}

function bodiless(method: string, status: number): boolean {
  return method === 'HEAD' || status === 204 || status === 304 || (status >= 100 && status < 200);
}

/**
 * Relays one upstream response to the client through the inbound stages.
 *
 * @example
 * upstreamReq.on('response', (r) => void relayResponse(r, res, flow, { host, method, info }, deps));
 */
export async function relayResponse(
  upstreamRes: IncomingMessage,
  res: ServerResponse,
  flow: FlowContext,
  ctx: ResponseContext,
  deps: ExchangeDeps,
): Promise<void> {
  const { session } = flow;
  // Attached before any consumer below, in this same tick (it listens for data).
  watchBodyIdle(
    upstreamRes,
    deps.timeouts.bodyIdleMs,
    ctx.host,
    () => res.writableNeedDrain,
    (err) => recordTimeout(err, !res.headersSent, flow, ctx.info, deps),
  );
  const status = upstreamRes.statusCode ?? 502;
  const statusMessage = upstreamRes.statusMessage ?? '';
  let headers = endToEndHeaders(upstreamRes.rawHeaders);
  const record = (events: Parameters<AuditRecorder['record']>[1][]): void => {
    for (const e of events) deps.recorder.record(flow, e, ctx.info);
  };
  const contentType = headerValue(headers, 'content-type');
  const scan =
    !bodiless(ctx.method, status) &&
    parseBodyContentType(contentType).format !== 'binary' &&
    (session.content.needsInboundBody(ctx.host) || !session.secrets.empty);

  if (!scan) {
    res.writeHead(status, statusMessage, flatHeaders(headers));
    // Streamed as it arrives, whatever its size or framing; an upstream failure midway cuts the client.
    pipeline(upstreamRes, res, () => {});
    return;
  }

  const codings = parseContentEncoding(headerValue(headers, 'content-encoding'));
  const refuseWhole = (reason: string, refusal: Parameters<typeof sendRefusal>[1]): void => {
    record([{ type: 'content_not_scanned', direction: 'inbound', reason, refused: true }]);
    upstreamRes.destroy();
    sendRefusal(res, refusal);
  };
  if (!canDecode(codings)) {
    return refuseWhole('unsupported_encoding', {
      status: 502,
      stage: 'scan_limit',
      code: ErrorCode.UNSUPPORTED_ENCODING,
      message: `${ctx.host} answered in content coding "${codings.join(', ')}", which declaw cannot decode for scanning; the response was not delivered`,
    });
  }
  headers = withoutHeaders(headers, 'content-encoding', 'content-length');

  if (isStreamingMediaType(contentType)) {
    const stream = new InboundStream(flow.session, ctx.host, contentType);
    streamResponse(stream, upstreamRes, res, flow, ctx, deps, status, statusMessage, headers, codings);
    return;
  }
  if (!session.content.needsInboundBody(ctx.host)) {
    // Only secret masking applies, and it needs no whole body: stream it.
    const stream = new SecretMaskStream(session);
    streamResponse(stream, upstreamRes, res, flow, ctx, deps, status, statusMessage, headers, codings);
    return;
  }

  const declared = Number(upstreamRes.headers['content-length'] ?? 0);
  if (declared > deps.scanLimit)
    return refuseWhole('too_large', tooLargeRefusal(declared, deps.scanLimit, 502));
  const read = await readBody(upstreamRes, deps.scanLimit).catch((err: unknown) => err as Error);
  if (read instanceof UpstreamTimeoutError) return sendRefusal(res, timeoutRefusal(read));
  if (read instanceof Error) {
    return sendRefusal(res, {
      status: 502,
      stage: 'upstream',
      code: ErrorCode.UPSTREAM_UNREACHABLE,
      message: `the response from ${ctx.host} was cut off before its end; nothing of it was delivered`,
    });
  }
  if (!read.ok) return refuseWhole('too_large', tooLargeRefusal(read.size, deps.scanLimit, 502));
  let body: Buffer;
  try {
    body = decodeBody(read.body, codings, deps.scanLimit);
  } catch (err) {
    if (!(err instanceof BodyDecodeError)) throw err;
    if (err.reason === 'too_large')
      return refuseWhole('too_large', tooLargeRefusal(read.body.length, deps.scanLimit, 502));
    return refuseWhole(err.reason, {
      status: 502,
      stage: 'scan_limit',
      code: ErrorCode.UNSUPPORTED_ENCODING,
      message: `the response from ${ctx.host} could not be decoded for scanning (${err.message}); it was not delivered`,
    });
  }
  const r = await processInbound(session, { host: ctx.host, body, contentType });
  record(r.events);
  if (r.refusal) return sendRefusal(res, r.refusal);
  headers = withHeader(headers, 'Content-Length', String(r.body.length));
  res.writeHead(status, statusMessage, flatHeaders(headers));
  res.end(r.body);
}

function streamResponse(
  stream: Pick<InboundStream, 'push' | 'end' | 'events'>,
  upstreamRes: IncomingMessage,
  res: ServerResponse,
  flow: FlowContext,
  ctx: ResponseContext,
  deps: ExchangeDeps,
  status: number,
  statusMessage: string,
  headers: ReturnType<typeof endToEndHeaders>,
  codings: string[],
): void {
  const source = decodingStream(upstreamRes, codings);
  res.writeHead(status, statusMessage, flatHeaders(headers));
  res.flushHeaders();
  let finished = false;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    for (const e of stream.events()) deps.recorder.record(flow, e, ctx.info);
  };
  source.on('data', (chunk: Buffer) => {
    if (finished || res.writableEnded) return;
    const step = stream.push(chunk);
    if (step.refusal) {
      res.end(step.output);
      upstreamRes.destroy();
      source.destroy();
      finish();
      return;
    }
    if (step.output.length > 0 && !res.write(step.output)) {
      source.pause();
      res.once('drain', () => source.resume());
    }
  });
  source.on('end', () => {
    if (finished || res.writableEnded) return;
    const step = stream.end();
    res.end(step.output);
    finish();
  });
  source.on('error', (err) => {
    deps.logger.warn('proxy: streamed response failed', { host: ctx.host, error: String(err) });
    res.destroy();
    finish();
  });
}
