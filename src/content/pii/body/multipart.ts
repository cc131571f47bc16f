/**
 * multipart bodies (RFC 2046 framing, RFC 7578 form-data): the body is cut into parts at the boundary
 * delimiters; each part's own content type decides how it is scanned, and the framing, part headers
 * and unscanned parts are copied byte for byte.
 */

/** How one part came out of redaction. */
export interface PartOutcome {
  body: Buffer;
  /** True when the part was read for PII (a text part); false for file/binary parts passed as they are. */
  scanned: boolean;
}

/** Redacts one part's body given its content type (undefined when the part named none). */
export type PartRedactor = (body: Buffer, contentType: string | undefined) => PartOutcome;

/** Result of {@link redactMultipart}. */
export interface MultipartOutcome {
  body: Buffer;
  changed: boolean;
  partsScanned: number;
  partsSkipped: number;
}

/**
 * Applies `redactPart` to every part of a multipart body. Returns undefined when the body does not
 * contain the boundary (not multipart after all); the caller then treats it as unknown bytes.
 *
 * @example
 * redactMultipart(body, 'XyZ', (part, type) => redactBody(part, type ?? 'text/plain', options));
 */
export function redactMultipart(
  body: Buffer,
  boundary: string,
  redactPart: PartRedactor,
): MultipartOutcome | undefined {
  const dashBoundary = Buffer.from(`--${boundary}`, 'latin1');
  let first: number;
  if (body.subarray(0, dashBoundary.length).equals(dashBoundary)) {
    first = 0;
  } else {
    const crlf = body.indexOf(Buffer.concat([Buffer.from('\r\n'), dashBoundary]));
    const lf = crlf >= 0 ? -1 : body.indexOf(Buffer.concat([Buffer.from('\n'), dashBoundary]));
    if (crlf < 0 && lf < 0) return undefined;
    first = crlf >= 0 ? crlf + 2 : lf + 1;
  }
  // Line breaks are CRLF by the standard; tolerate clients that send bare LF throughout.
  const afterFirst = first + dashBoundary.length;
  const eol = body.indexOf('\r\n', afterFirst) === lineEnd(body, afterFirst) ? '\r\n' : '\n';
  const delimiter = Buffer.concat([Buffer.from(eol), dashBoundary]);
  const headerEnd = Buffer.from(eol + eol);

  const pieces: Buffer[] = [];
  let copied = 0;
  let changed = false;
  let partsScanned = 0;
  let partsSkipped = 0;
  let at = afterFirst;
  while (at < body.length) {
    // After a delimiter: `--` closes the body, otherwise transport padding and a line break open a part.
    if (body[at] === 0x2d && body[at + 1] === 0x2d) break;
    const lineBreak = lineEnd(body, at);
    if (lineBreak < 0) break;
    const partStart = lineBreak + eol.length;
    let next = body.indexOf(delimiter, partStart);
    if (next < 0) next = body.length;
    const part = body.subarray(partStart, next);
    const headersEnd = part.subarray(0, eol.length).equals(Buffer.from(eol)) ? 0 : part.indexOf(headerEnd);
    if (headersEnd >= 0) {
      const contentStart = headersEnd === 0 ? eol.length : headersEnd + headerEnd.length;
      const headers = part.subarray(0, headersEnd).toString('latin1');
      const content = part.subarray(contentStart);
      const outcome = redactPart(content, partContentType(headers));
      if (outcome.scanned) partsScanned++;
      else partsSkipped++;
      if (outcome.body !== content && !outcome.body.equals(content)) {
        pieces.push(body.subarray(copied, partStart + contentStart), outcome.body);
        copied = next;
        changed = true;
      }
    } else {
      partsSkipped++;
    }
    at = next + delimiter.length;
  }
  if (!changed) return { body, changed, partsScanned, partsSkipped };
  pieces.push(body.subarray(copied));
  return { body: Buffer.concat(pieces), changed, partsScanned, partsSkipped };
}

/** Offset of the next line break (CR LF or LF) at or after `from`, or -1. */
function lineEnd(body: Buffer, from: number): number {
  const lf = body.indexOf(0x0a, from);
  if (lf < 0) return -1;
  return lf > from && body[lf - 1] === 0x0d ? lf - 1 : lf;
}

/**
 * The content type a part is scanned as. A part that names none is text/plain (RFC 7578) unless it is a
 * file upload, whose bytes then decide; a part sent in base64 or quoted-printable transfer encoding is
 * passed as binary, since its PII would not be visible in the encoded bytes anyway.
 */
function partContentType(headers: string): string | undefined {
  let contentType: string | undefined;
  let isFile = false;
  for (const line of headers.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'content-type') contentType = value;
    else if (name === 'content-disposition') isFile = /;\s*filename\*?=/i.test(value);
    else if (name === 'content-transfer-encoding' && /^(base64|quoted-printable)$/i.test(value)) {
      return 'application/octet-stream';
    }
  }
  if (contentType !== undefined) return contentType;
  return isFile ? undefined : 'text/plain';
}
