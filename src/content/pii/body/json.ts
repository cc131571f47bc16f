import type { PiiType } from '../../../policy/pii-types.js';
import { appendReplaced, replaceFindings, tallyFindings, type TokenIssuer } from '../redact-text.js';
import type { PiiScanner } from '../types.js';
import { lexJson, LiteralKind } from './json-lexer.js';
import { decodeJsonString, scanJsonLiterals } from './json-scan.js';

/** What a format redactor needs: the scanner, the types, and a token issuer only when it should rewrite. */
export interface FormatScanOptions {
  scanner: PiiScanner;
  types: ReadonlySet<PiiType>;
  /** Rewrite findings as tokens from this issuer (the session); without one, findings are only counted. */
  session: TokenIssuer | undefined;
  /** Findings per type, added to. */
  tally: Map<PiiType, number>;
  /** Escape every non-ASCII character in rewritten JSON strings (the body is re-encoded as latin1). */
  asciiOnly?: boolean;
}

/**
 * Redacts the string literals (keys and values) and numbers of a JSON text in place: everything between
 * them, whitespace and key order included, is kept byte for byte. A string without escapes is scanned as
 * it stands and tokens are spliced into it; a string with escapes is decoded, scanned, and written back
 * with `JSON.stringify`; a number that holds PII (a card number sent as a JSON number) becomes a string,
 * so the document stays valid JSON. Returns undefined when `text` is not JSON (the caller falls back to
 * scanning it as text), otherwise the redacted text (the same string when nothing changed).
 *
 * @example
 * redactJson('{"card": 4111111111111111}', false, { scanner, types, session, tally });
 * // '{"card": "[CREDIT_CARD_9f2a3b]"}'
 */
export function redactJson(text: string, sequence: boolean, options: FormatScanOptions): string | undefined {
  const literals = lexJson(text, sequence);
  if (literals === undefined) return undefined;
  const perSegment = scanJsonLiterals(text, literals, options.scanner, options.types);
  if (perSegment === undefined) return undefined;
  const { starts, ends, kinds } = literals;
  for (const { findings } of perSegment) tallyFindings(findings, options.tally);
  const session = options.session;
  if (session === undefined || perSegment.length === 0) return text;

  const parts: string[] = [];
  let at = 0;
  for (const { index: i, findings } of perSegment) {
    const start = starts[i]!;
    const end = ends[i]!;
    const kind = kinds[i]!;
    if (kind === LiteralKind.String) {
      // Tokens hold no quote or backslash, so they go into an unescaped string as they are; the
      // rest of the literal and what follows it are copied with the next piece.
      parts.push(text.slice(at, start + 1));
      at = appendReplaced(parts, text, start + 1, end - 1, findings, session);
      continue;
    }
    parts.push(text.slice(at, start));
    parts.push(jsonQuote(replaceFindings(fullSegment(text, start, end, kind), findings, session), options));
    at = end;
  }
  if (parts.length === 0) return text;
  parts.push(text.slice(at));
  return parts.join('');
}

/** The full text of a number or escaped string (a data URL's segment was cut short; its findings lie in the kept part). */
function fullSegment(text: string, start: number, end: number, kind: LiteralKind): string {
  if (kind === LiteralKind.Number) return text.slice(start, end);
  return decodeJsonString(text.slice(start, end)) ?? '';
}

/** A JSON string literal for `value`, with non-ASCII escaped when the body goes back out as latin1. */
function jsonQuote(value: string, options: FormatScanOptions): string {
  const quoted = JSON.stringify(value);
  if (!options.asciiOnly) return quoted;
  return quoted.replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
