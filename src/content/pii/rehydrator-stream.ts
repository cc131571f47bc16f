import { Transform, type TransformCallback } from 'node:stream';
import { parseBodyContentType } from './body/content-type.js';
import { contextForContentType, rewriteTokens, type RehydrationContext } from './rehydrate.js';
import type { PiiSession } from './session.js';
import { createSseRehydrator } from './sse/sse-rehydrator.js';

/** Rehydrates a response body that arrives in chunks. */
export interface Rehydrator {
  /** Takes the next chunk; returns what can be passed on now (possibly empty, never more than was seen). */
  push(chunk: Buffer): Buffer;
  /** The stream ended: returns whatever was still held back. */
  end(): Buffer;
}

/** Options of {@link createRehydrator}. */
export interface RehydratorOptions {
  session: PiiSession;
  /** The response's `Content-Type`; decides escaping, and `text/event-stream` selects the SSE rehydrator. */
  contentType: string | undefined;
}

const EMPTY = Buffer.alloc(0);

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
  return new ByteRehydrator(options.session, contextForContentType(options.contentType));
}

class ByteRehydrator implements Rehydrator {
  readonly #session: PiiSession;
  readonly #context: RehydrationContext;
  #held: Buffer = EMPTY;

  constructor(session: PiiSession, context: RehydrationContext) {
    this.#session = session;
    this.#context = context;
  }

  push(chunk: Buffer): Buffer {
    const data = this.#held.length === 0 ? chunk : Buffer.concat([this.#held, chunk]);
    this.#held = EMPTY;
    // Nothing was ever redacted, or nothing here can start a token: pass the bytes on as they came.
    if (this.#session.empty || (data.indexOf(0x5b) < 0 && data.indexOf(0x25) < 0)) return data;
    const view = data.toString('latin1');
    const { text, held, replaced } = rewriteTokens(view, this.#session, this.#context, true, utf8AsLatin1);
    // Copied, so a few held bytes do not keep the whole chunk alive.
    if (held.length > 0) this.#held = Buffer.from(data.subarray(data.length - held.length));
    if (replaced === 0) return held.length === 0 ? data : data.subarray(0, data.length - held.length);
    return Buffer.from(text, 'latin1');
  }

  end(): Buffer {
    const rest = this.#held;
    this.#held = EMPTY;
    return rest;
  }
}

/** A replacement written as UTF-8 bytes, viewed one latin1 character per byte like the text around it. */
function utf8AsLatin1(replacement: string): string {
  return Buffer.from(replacement, 'utf8').toString('latin1');
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
