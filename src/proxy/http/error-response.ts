/**
 * The answers the proxy itself gives: a JSON body naming the stage that refused and why, in words a
 * user can act on. Never a PII value, secret or body excerpt: only types, rules, hosts and scores.
 */
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { ErrorCode } from '../../errors.js';

/** The pipeline stage that refused. */
export type RefusingStage =
  | 'egress'
  | 'tls'
  | 'pii'
  | 'injection'
  | 'invisible_text'
  | 'transform'
  | 'scan_limit'
  | 'proxy'
  | 'upstream';

/** What the proxy answers with instead of the upstream response. */
export interface ProxyRefusal {
  status: number;
  stage: RefusingStage;
  code: string;
  message: string;
  /** Extra JSON-safe fields: PII types, injection score and signals, the rule that matched. */
  details?: Record<string, unknown>;
}

/**
 * The JSON document of a refusal: `{ "error": { "type": "declaw_refused", stage, code, message, ... } }`.
 *
 * @example
 * refusalBody({ status: 403, stage: 'pii', code: 'DECLAW_PII_BLOCKED', message: '...' }).toString();
 * // '{"error":{"type":"declaw_refused","stage":"pii",...}}'
 */
export function refusalBody(refusal: ProxyRefusal): Buffer {
  return Buffer.from(
    JSON.stringify({
      error: {
        type: 'declaw_refused',
        stage: refusal.stage,
        code: refusal.code,
        message: refusal.message,
        ...refusal.details,
      },
    }),
  );
}

/**
 * Sends a refusal on an HTTP response that has not started yet. With `close`, the connection is
 * closed after it (used when the request body was not read to the end).
 *
 * @example
 * sendRefusal(res, { status: 421, stage: 'egress', code: ErrorCode.DOMAIN_FRONTING, message: 'Host differs from SNI' });
 */
export function sendRefusal(res: ServerResponse, refusal: ProxyRefusal, close = false): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = refusalBody(refusal);
  const headers: Record<string, string | number> = {
    'content-type': 'application/json; charset=utf-8',
    'content-length': body.length,
    'x-declaw-stage': refusal.stage,
  };
  if (close) headers.connection = 'close';
  if (refusal.status === 407) headers['proxy-authenticate'] = 'Basic realm="declaw"';
  res.writeHead(refusal.status, headers);
  res.end(body);
}

/**
 * Writes a refusal as a raw HTTP/1.1 response on a socket (CONNECT replies) and closes it.
 *
 * @example
 * writeRawRefusal(connectSocket, egressRefusal('evil.example', 'matches deny_out 0.0.0.0/0'));
 */
export function writeRawRefusal(socket: Socket, refusal: ProxyRefusal): void {
  const body = refusalBody(refusal);
  const reason = STATUS_TEXT[refusal.status] ?? 'Error';
  const extra = refusal.status === 407 ? 'Proxy-Authenticate: Basic realm="declaw"\r\n' : '';
  socket.end(
    `HTTP/1.1 ${refusal.status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${body.length}\r\nX-Declaw-Stage: ${refusal.stage}\r\n${extra}Connection: close\r\n\r\n${body.toString()}`,
  );
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  407: 'Proxy Authentication Required',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  421: 'Misdirected Request',
  502: 'Bad Gateway',
  504: 'Gateway Timeout',
};

/**
 * A refusal for an internal failure: the flow is cut, nothing unscanned goes through (fail closed).
 *
 * @example
 * sendRefusal(res, internalRefusal('internal error'), true);
 */
export function internalRefusal(what: string): ProxyRefusal {
  return {
    status: 502,
    stage: 'proxy',
    code: ErrorCode.INTERNAL,
    message: `declaw could not process this message (${what}); nothing was forwarded unscanned. This is a bug in declaw; please report it`,
  };
}
