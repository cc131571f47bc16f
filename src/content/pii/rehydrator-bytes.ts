import { TokenRewriter, type RehydrationContext } from './rehydrate.js';
import type { PiiSession } from './session.js';

/** Rehydrates a response body that arrives in chunks. */
export interface Rehydrator {
  /** Takes the next chunk; returns what can be passed on now (possibly empty, never more than was seen). */
  push(chunk: Buffer): Buffer;
  /** The stream ended: returns whatever was still held back. */
  end(): Buffer;
}

const EMPTY = Buffer.alloc(0);

/**
 * Streaming rehydration of any body that is not an event stream. Tokens are ASCII, so it works on raw
 * bytes: a UTF-8 character split across chunks passes through untouched, and only a tail that could
 * still become a token (`[CREDIT_CA`, at most 24 bytes) is held until the next chunk shows whether it
 * is one.
 *
 * @example
 * const r = createByteRehydrator(session, 'json');
 * Buffer.concat([r.push(Buffer.from('{"a":"[CREDIT_CA')), r.push(Buffer.from('RD_9f2a3b]"}')), r.end()]);
 * // '{"a":"4111111111111111"}'
 */
export function createByteRehydrator(session: PiiSession, context: RehydrationContext): Rehydrator {
  return new ByteRehydrator(session, context);
}

class ByteRehydrator implements Rehydrator {
  readonly #session: PiiSession;
  readonly #context: RehydrationContext;
  readonly #rewriter: TokenRewriter;
  #held: Buffer = EMPTY;

  constructor(session: PiiSession, context: RehydrationContext) {
    this.#session = session;
    this.#context = context;
    this.#rewriter = new TokenRewriter(session);
  }

  push(chunk: Buffer): Buffer {
    const data = this.#held.length === 0 ? chunk : Buffer.concat([this.#held, chunk]);
    this.#held = EMPTY;
    // Nothing was ever redacted, or nothing here can start a token: pass the bytes on as they came.
    if (this.#session.empty || (data.indexOf(0x5b) < 0 && data.indexOf(0x25) < 0)) return data;
    const view = data.toString('latin1');
    const { text, held, replaced } = this.#rewriter.rewrite(view, this.#context, true, utf8AsLatin1);
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

/**
 * A replacement written as UTF-8 bytes, viewed one latin1 character per byte like the byte text around
 * it (so `Buffer.from(result, 'latin1')` writes its UTF-8 bytes).
 *
 * @example
 * utf8AsLatin1('é'); // '\u00c3\u00a9'
 */
export function utf8AsLatin1(replacement: string): string {
  return Buffer.from(replacement, 'utf8').toString('latin1');
}
