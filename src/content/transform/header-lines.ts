/**
 * Rendering headers as the `Name: value` lines rules match against, and reading them back so the
 * head that leaves the engine is always well formed.
 *
 * Header strings follow node:http's convention: one character per byte (latin1), so UTF-8 bytes on
 * the wire arrive as several characters and are matched by rules as the UTF-8 text they encode.
 */

/**
 * Headers rules never touch, and names a rule may not produce: message framing and routing belong to
 * the proxy, and rewriting them could desynchronise the message from its body or send it to a host
 * the egress policy did not approve. HTTP/2-style pseudo-headers (`:path`) are protected as well.
 */
export const PROTECTED_HEADER_NAMES: ReadonlySet<string> = new Set([
  'content-length',
  'transfer-encoding',
  'host',
]);

/** Whether rules leave this header alone. */
export function isProtectedHeader(name: string): boolean {
  return name.startsWith(':') || PROTECTED_HEADER_NAMES.has(name.toLowerCase());
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * The canonical spelling of a header name (`authorization` → `Authorization`, `x-api-key` →
 * `X-Api-Key`), as Go's `textproto.CanonicalMIMEHeaderKey` writes it. Rules see this spelling so
 * that `Authorization:\s*Bearer` from seed 002 matches clients that send `authorization:` (fetch
 * does). Names that are not HTTP tokens are returned unchanged.
 *
 * @example
 * canonicalHeaderName('content-TYPE'); // 'Content-Type'
 */
export function canonicalHeaderName(name: string): string {
  if (!TOKEN.test(name)) return name;
  let out = '';
  let upper = true;
  for (const c of name) {
    out += upper ? c.toUpperCase() : c.toLowerCase();
    upper = c === '-';
  }
  return out;
}

/**
 * The bytes of the line `Name: value` that rules run on. Strings holding only code points up to
 * U+00FF are taken as bytes (node's convention); anything wider is encoded as UTF-8.
 *
 * @example
 * renderHeaderLine('authorization', 'Bearer sk-1').toString('latin1'); // 'Authorization: Bearer sk-1'
 */
export function renderHeaderLine(name: string, value: string): Buffer {
  const line = `${canonicalHeaderName(name)}: ${value}`;
  // eslint-disable-next-line no-control-regex
  return Buffer.from(line, /[^\u0000-\u00ff]/.test(line) ? 'utf8' : 'latin1');
}

/** A rewritten header line read back. */
export interface ParsedHeaderLine {
  readonly name: string;
  readonly value: string;
  /** Control characters (CR, LF, NUL, ...) were removed from the line. */
  readonly repaired: boolean;
}

/** True for the bytes RFC 9110 forbids in a field line: controls other than HTAB, and DEL. */
function isForbiddenByte(b: number): boolean {
  return (b < 0x20 && b !== 0x09) || b === 0x7f;
}

const isOws = (b: number | undefined): boolean => b === 0x20 || b === 0x09;

/**
 * Read a rewritten line back as a header. Control characters are removed (so a replacement cannot
 * start a new header line or smuggle a NUL); the line must still be `token ":" value`, otherwise
 * `undefined` is returned and the caller drops the header.
 *
 * @example
 * parseHeaderLine(Buffer.from('Authorization: Bearer [REDACTED]\r\nX-Evil: 1'));
 * // { name: 'Authorization', value: 'Bearer [REDACTED]X-Evil: 1', repaired: true }
 */
export function parseHeaderLine(line: Buffer): ParsedHeaderLine | undefined {
  let clean = line;
  let repaired = false;
  if (line.some(isForbiddenByte)) {
    clean = Buffer.from(line.filter((b) => !isForbiddenByte(b)));
    repaired = true;
  }
  const colon = clean.indexOf(0x3a);
  if (colon <= 0) return undefined;
  const name = clean.toString('latin1', 0, colon);
  if (!TOKEN.test(name)) return undefined;
  let start = colon + 1;
  let end = clean.length;
  while (start < end && isOws(clean[start])) start++;
  while (end > start && isOws(clean[end - 1])) end--;
  return { name, value: clean.toString('latin1', start, end), repaired };
}
