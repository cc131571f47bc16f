/**
 * Content codings on scanned bodies. The proxy decodes gzip, deflate and br to read a body, and sends
 * the decoded body on (without `Content-Encoding`, with a new `Content-Length`): re-compressing would
 * cost more CPU than the bytes it saves on the short hop to the sandbox.
 */
import type { Readable, Transform } from 'node:stream';
import zlib from 'node:zlib';

/**
 * A body was not decoded: an unknown coding, corrupt data, or a decoded size over the limit.
 *
 * @example
 * try { decodeBody(body, ['zstd'], limit); } catch (e) { if (e instanceof BodyDecodeError) e.reason; } // 'unsupported_encoding'
 */
export class BodyDecodeError extends Error {
  constructor(
    readonly reason: 'unsupported_encoding' | 'corrupt' | 'too_large',
    message: string,
  ) {
    super(message);
    this.name = 'BodyDecodeError';
  }
}

/**
 * The codings of a `Content-Encoding` header, in the order they were applied; `identity` dropped.
 *
 * @example
 * parseContentEncoding('gzip, br'); // ['gzip', 'br']
 */
export function parseContentEncoding(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
}

/**
 * True when every coding in `codings` can be decoded by {@link decodeBody}.
 *
 * @example
 * canDecode(['gzip', 'br']); // true
 * canDecode(['zstd']);       // false
 */
export function canDecode(codings: readonly string[]): boolean {
  return codings.every((c) => c === 'gzip' || c === 'x-gzip' || c === 'deflate' || c === 'br');
}

function decodeOnce(body: Buffer, coding: string, maxOutputLength: number): Buffer {
  const opts = { maxOutputLength };
  if (coding === 'gzip' || coding === 'x-gzip') {
    return zlib.gunzipSync(body, { ...opts, finishFlush: zlib.constants.Z_SYNC_FLUSH });
  }
  if (coding === 'br') return zlib.brotliDecompressSync(body, opts);
  // "deflate" is meant to be zlib-wrapped, but some servers send raw deflate: the first byte tells.
  const wrapped = body.length > 0 && (body[0]! & 0x0f) === 8 && ((body[0]! << 8) | (body[1] ?? 0)) % 31 === 0;
  return wrapped ? zlib.inflateSync(body, opts) : zlib.inflateRawSync(body, opts);
}

/**
 * Decodes a whole body. The decoded size is capped at `limit` so a small compressed body cannot
 * expand into gigabytes (a decompression bomb).
 *
 * @throws {BodyDecodeError}
 * @example
 * decodeBody(zlib.gzipSync('hi'), ['gzip'], 1024).toString(); // 'hi'
 */
export function decodeBody(body: Buffer, codings: readonly string[], limit: number): Buffer {
  let out = body;
  for (const coding of [...codings].reverse()) {
    if (!canDecode([coding])) {
      throw new BodyDecodeError('unsupported_encoding', `content coding "${coding}" cannot be decoded`);
    }
    try {
      out = decodeOnce(out, coding, limit);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
        throw new BodyDecodeError('too_large', `the decoded body is larger than ${limit} bytes`);
      }
      throw new BodyDecodeError('corrupt', `the ${coding} body is corrupt: ${(err as Error).message}`);
    }
  }
  return out;
}

/**
 * A stream decoding `codings` (for streamed responses). Returns the source itself when there is
 * nothing to decode.
 *
 * @throws {BodyDecodeError} for a coding that cannot be decoded.
 *
 * @example
 * decodingStream(upstreamRes, ['gzip']).on('data', (chunk) => stream.push(chunk));
 */
export function decodingStream(source: Readable, codings: readonly string[]): Readable {
  let out: Readable = source;
  for (const coding of [...codings].reverse()) {
    let step: Transform;
    if (coding === 'gzip' || coding === 'x-gzip') {
      step = zlib.createGunzip({ finishFlush: zlib.constants.Z_SYNC_FLUSH });
    } else if (coding === 'br') step = zlib.createBrotliDecompress();
    else if (coding === 'deflate') step = zlib.createInflate();
    else throw new BodyDecodeError('unsupported_encoding', `content coding "${coding}" cannot be decoded`);
    out.on('error', (e) => step.destroy(e));
    out = out.pipe(step);
  }
  return out;
}

/** Result of {@link readBody}. */
export type ReadBodyResult = { ok: true; body: Buffer } | { ok: false; size: number };

/**
 * Reads a whole message body. Once more than `limit` bytes arrived it stops reading and resolves with
 * `ok: false`; the caller then answers and closes the connection (the rest is never buffered).
 * Rejects when the stream fails or ends early.
 *
 * @example
 * const read = await readBody(req, 10 * 1024 * 1024);
 * if (!read.ok) return refuse413();
 */
export function readBody(stream: Readable, limit: number): Promise<ReadBodyResult> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        stream.pause();
        resolve({ ok: false, size });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve({ ok: true, body: Buffer.concat(chunks, size) });
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    const onClose = (): void => {
      cleanup();
      reject(new Error('the message body was cut off'));
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('close', onClose);
  });
}
