import { Transform, type TransformCallback } from 'node:stream';
import { parseBodyContentType } from './body/content-type.js';
import { contextForContentType } from './rehydrate.js';
import { createByteRehydrator, type Rehydrator } from './rehydrator-bytes.js';
import type { PiiSession } from './session.js';
import { createSseRehydrator } from './sse/sse-rehydrator.js';

export type { Rehydrator } from './rehydrator-bytes.js';

/** Options of {@link createRehydrator}. */
export interface RehydratorOptions {
  session: PiiSession;
  /** The response's `Content-Type`; decides escaping, and `text/event-stream` selects the SSE rehydrator. */
  contentType: string | undefined;
}

/**
 * A streaming rehydrator for one response body. Tokens are ASCII, so it works on raw bytes: a UTF-8
 * character split across chunks passes through untouched, and only a tail that could still become a
 * token (`[CREDIT_CA`, at most 24 bytes) is held until the next chunk shows whether it is one. For
 * `text/event-stream` it returns the SSE rehydrator, which restores tokens split across events.
 *
 * @example
 * const r = createRehydrator({ session, contentType: 'application/json' });
 * const out = Buffer.concat([r.push(Buffer.from('{"a":"[CREDIT_CA')), r.push(Buffer.from('RD_9f2a3b]"}')), r.end()]);
 * // '{"a":"4111111111111111"}'
 */
export function createRehydrator(options: RehydratorOptions): Rehydrator {
  if (parseBodyContentType(options.contentType).mediaType === 'text/event-stream') {
    return createSseRehydrator({ session: options.session });
  }
  return createByteRehydrator(options.session, contextForContentType(options.contentType));
}

/**
 * The same rehydration as a node:stream Transform, for piping a response body through.
 *
 * @example
 * upstreamBody.pipe(createRehydrationTransform({ session, contentType })).pipe(clientSocket);
 */
export function createRehydrationTransform(options: RehydratorOptions): Transform {
  const rehydrator = createRehydrator(options);
  return new Transform({
    transform(chunk: Buffer | string, _encoding: BufferEncoding, callback: TransformCallback) {
      const out = rehydrator.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
      callback(null, out.length > 0 ? out : undefined);
    },
    flush(callback: TransformCallback) {
      const out = rehydrator.end();
      callback(null, out.length > 0 ? out : undefined);
    },
  });
}

/**
 * Rehydrates a complete response body, byte-exact: the streaming rehydrator run over the whole body,
 * so invalid UTF-8 survives and `text/event-stream` bodies get JSON-escaped values inside their JSON
 * data. Returns `body` itself when nothing changed.
 *
 * @example
 * rehydrateBody(Buffer.from('{"a":"[SSN_0a1b2c]"}'), 'application/json', session); // {"a":"123-45-6789"}
 */
export function rehydrateBody(body: Buffer, contentType: string | undefined, session: PiiSession): Buffer {
  if (session.empty) return body;
  const rehydrator = createRehydrator({ session, contentType });
  const out = Buffer.concat([rehydrator.push(body), rehydrator.end()]);
  return out.equals(body) ? body : out;
}
