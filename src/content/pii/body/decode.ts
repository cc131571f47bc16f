import { isUtf8 } from 'node:buffer';

/** How a body's bytes became a string, so the redacted string can become bytes again losslessly. */
export type TextEncoding = 'utf8' | 'latin1';

/** A body as text. */
export interface DecodedText {
  text: string;
  encoding: TextEncoding;
}

/** Charsets that are ASCII-compatible and decode one byte per character: read as latin1, lossless. */
const SINGLE_BYTE_CHARSETS = new Set([
  'iso-8859-1',
  'latin1',
  'l1',
  'iso_8859-1',
  'windows-1252',
  'cp1252',
  'us-ascii',
  'ascii',
]);

/**
 * Turns body bytes into a string that maps back to exactly the same bytes. Valid UTF-8 is read as UTF-8;
 * anything else (declared latin1, or text with a few invalid bytes) is read as latin1, one character per
 * byte, which finds every ASCII-shaped PII value and re-encodes byte for byte. Returns undefined for
 * charsets that are not ASCII-compatible (UTF-16, UTF-32, EBCDIC), which cannot be scanned that way.
 *
 * @example
 * decodeText(Buffer.from([0x61, 0xff, 0x62])); // { text: 'a\u00ffb', encoding: 'latin1' }
 */
export function decodeText(body: Buffer, charset?: string): DecodedText | undefined {
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    if (!SINGLE_BYTE_CHARSETS.has(charset)) return undefined;
    return { text: body.toString('latin1'), encoding: 'latin1' };
  }
  if (isUtf8(body)) return { text: body.toString('utf8'), encoding: 'utf8' };
  return { text: body.toString('latin1'), encoding: 'latin1' };
}

/** Bytes examined when guessing whether an undeclared body is text. */
const SNIFF_BYTES = 64 * 1024;

/**
 * Guesses whether a body without a useful content type is binary: a NUL byte, or more than 1% control
 * characters (other than tab, newlines, form feed and escape) in its first 64 KiB.
 *
 * @example
 * looksBinary(Buffer.from('hello')); // false
 * looksBinary(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00])); // true
 */
export function looksBinary(body: Buffer): boolean {
  const n = Math.min(body.length, SNIFF_BYTES);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = body[i]!;
    if (b >= 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0x0c || b === 0x1b) continue;
    if (b === 0) return true;
    control++;
  }
  return control * 100 > n;
}

/** Encodes a (redacted) string back with the encoding it was decoded with. */
export function encodeText(text: string, encoding: TextEncoding): Buffer {
  return Buffer.from(text, encoding);
}
