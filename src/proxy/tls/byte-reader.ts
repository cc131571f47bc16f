/**
 * A bounds-checked cursor over a byte array, for parsing untrusted wire formats.
 *
 * It touches its input only through `bytes[i]` with `i < bytes.length` and `bytes.length`, so a parser
 * built on it cannot read past the end even when a length field lies; a short read raises
 * {@link TruncatedError}, which callers turn into "need more bytes" or "malformed".
 *
 * @example
 * const r = new ByteReader(Uint8Array.of(0x00, 0x02, 0x61, 0x62));
 * const len = r.u16();            // 2
 * const sub = r.sub(len);         // a reader over "ab"
 * sub.latin1(2);                  // "ab"
 */
export class ByteReader {
  #pos: number;
  readonly #end: number;
  readonly #bytes: Uint8Array;

  /** Reads `bytes[start, end)`. `end` defaults to the length of `bytes` and is clamped to it. */
  constructor(bytes: Uint8Array, start = 0, end = bytes.length) {
    this.#bytes = bytes;
    this.#end = Math.min(end, bytes.length);
    this.#pos = Math.min(start, this.#end);
  }

  /** Bytes left before the end of this reader. */
  get remaining(): number {
    return this.#end - this.#pos;
  }

  /** Absolute offset of the cursor in the underlying array. */
  get offset(): number {
    return this.#pos;
  }

  /** One unsigned byte. */
  u8(): number {
    this.#need(1);
    return this.#bytes[this.#pos++] as number;
  }

  /** A big-endian unsigned 16-bit integer. */
  u16(): number {
    this.#need(2);
    const b = this.#bytes;
    const v = ((b[this.#pos] as number) << 8) | (b[this.#pos + 1] as number);
    this.#pos += 2;
    return v;
  }

  /** A big-endian unsigned 24-bit integer (TLS handshake lengths). */
  u24(): number {
    this.#need(3);
    const b = this.#bytes;
    const p = this.#pos;
    const v = ((b[p] as number) << 16) | ((b[p + 1] as number) << 8) | (b[p + 2] as number);
    this.#pos += 3;
    return v;
  }

  /** Skips `n` bytes. */
  skip(n: number): void {
    this.#need(n);
    this.#pos += n;
  }

  /** A reader over the next `n` bytes; this reader moves past them. */
  sub(n: number): ByteReader {
    this.#need(n);
    const r = new ByteReader(this.#bytes, this.#pos, this.#pos + n);
    this.#pos += n;
    return r;
  }

  /** The next `n` bytes as a Latin-1 string (one char per byte, lossless for opaque identifiers). */
  latin1(n: number): string {
    this.#need(n);
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(this.#bytes[this.#pos + i] as number);
    this.#pos += n;
    return s;
  }

  #need(n: number): void {
    if (n < 0 || this.#pos + n > this.#end) throw new TruncatedError(this.#pos + n - this.#end);
  }
}

/** A read went past the end of a {@link ByteReader}; `missing` says by how many bytes. */
export class TruncatedError extends Error {
  readonly missing: number;

  constructor(missing: number) {
    super(`truncated: ${missing} more byte(s) needed`);
    this.name = 'TruncatedError';
    this.missing = missing;
  }
}
