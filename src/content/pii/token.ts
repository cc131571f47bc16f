import { PII_TYPES, tokenPrefix, type PiiType } from '../../policy/pii-types.js';

/**
 * The token syntax of seed 001: `[TYPE_xxxxxx]`, e.g. `[CREDIT_CARD_9f2a3b]`. This module knows only the
 * shape of tokens (what one looks like, what could still become one); which tokens exist is the vault's
 * business. Tokens are pure ASCII, so they can be matched on raw bytes without decoding UTF-8: no byte of
 * a multi-byte UTF-8 sequence is below 0x80, so a match can never start or end inside a character.
 */

/** Number of lowercase hex digits after the type prefix. */
export const TOKEN_HEX_DIGITS = 6;

/** The type prefixes a token may carry, e.g. `CREDIT_CARD`. */
export const TOKEN_TYPE_PREFIXES: readonly string[] = Object.freeze(PII_TYPES.map((t) => tokenPrefix(t)));

const TYPE_BY_PREFIX: ReadonlyMap<string, PiiType> = new Map(PII_TYPES.map((t) => [tokenPrefix(t), t]));

/** `CREDIT_CARD_`, …: what a token's type part reads up to its hex digits. */
const TYPE_PARTS: readonly string[] = TOKEN_TYPE_PREFIXES.map((p) => `${p}_`);

/** Longest complete token: the percent-encoded `%5BDRIVERS_LICENSE_xxxxxx%5D`. */
export const MAX_TOKEN_LENGTH =
  3 + Math.max(...TOKEN_TYPE_PREFIXES.map((p) => p.length)) + 1 + TOKEN_HEX_DIGITS + 3;

/** Longest text that is still only the start of a token; a stream never holds back more than this. */
export const MAX_TOKEN_PREFIX_LENGTH = MAX_TOKEN_LENGTH - 1;

const prefixAlternation = [...TOKEN_TYPE_PREFIXES].sort((a, b) => b.length - a.length).join('|');

// Group 1 is the inside of a literal token, group 2 the inside of a percent-encoded one.
const LITERAL_SOURCE = `\\[((?:${prefixAlternation})_[0-9a-f]{${TOKEN_HEX_DIGITS}})\\]`;
const ENCODED_SOURCE = `%5[Bb]((?:${prefixAlternation})_[0-9a-f]{${TOKEN_HEX_DIGITS}})%5[Dd]`;

/**
 * A fresh global regular expression that finds tokens: literal ones only, or literal and percent-encoded
 * ones when `withEncoded` is set (`%5BSSN_0a1b2c%5D`, as a form body carries a token). Group 1 captures
 * the inside (`SSN_0a1b2c`) of a literal token, group 2 that of an encoded one. The `g` flag makes a
 * pattern stateful, hence a fresh one per caller.
 *
 * @example
 * '[SSN_0a1b2c] ok'.match(tokenPattern(false)); // ['[SSN_0a1b2c]']
 */
export function tokenPattern(withEncoded: boolean): RegExp {
  return new RegExp(withEncoded ? `${LITERAL_SOURCE}|${ENCODED_SOURCE}` : LITERAL_SOURCE, 'g');
}

/**
 * Writes a token from a type and its hex digits.
 *
 * @example
 * formatToken('credit_card', '9f2a3b'); // '[CREDIT_CARD_9f2a3b]'
 */
export function formatToken(type: PiiType, hex: string): string {
  return `[${tokenPrefix(type)}_${hex}]`;
}

/** A token taken apart: its type and hex digits, and whether it was written percent-encoded. */
export interface ParsedToken {
  type: PiiType;
  hex: string;
  /** The canonical `[TYPE_xxxxxx]` spelling, whatever spelling was parsed. */
  canonical: string;
  /** True for `%5BTYPE_xxxxxx%5D`. */
  encoded: boolean;
}

/**
 * Parses one complete token (literal or percent-encoded), or returns undefined.
 *
 * @example
 * parseToken('%5BSSN_0a1b2c%5D'); // { type: 'ssn', hex: '0a1b2c', canonical: '[SSN_0a1b2c]', encoded: true }
 */
export function parseToken(text: string): ParsedToken | undefined {
  let inner: string;
  let encoded: boolean;
  if (text.startsWith('[') && text.endsWith(']')) {
    inner = text.slice(1, -1);
    encoded = false;
  } else if (/^%5[Bb]/.test(text) && /%5[Dd]$/.test(text) && text.length > 6) {
    inner = text.slice(3, -3);
    encoded = true;
  } else {
    return undefined;
  }
  const cut = inner.length - TOKEN_HEX_DIGITS - 1;
  if (cut < 1 || inner[cut] !== '_') return undefined;
  const hex = inner.slice(cut + 1);
  if (!/^[0-9a-f]+$/.test(hex)) return undefined;
  const type = TYPE_BY_PREFIX.get(inner.slice(0, cut));
  if (type === undefined) return undefined;
  return { type, hex, canonical: `[${inner}]`, encoded };
}

function isUpperOrUnderscore(c: number): boolean {
  return (c >= 65 && c <= 90) || c === 95;
}

function isLowerHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102);
}

/**
 * True when `tail` (text up to the end of what has arrived so far) could still grow into a token, so a
 * stream must hold it back: `[`, `[CRED`, `[CREDIT_CARD_9f`, `%5`, `%5BSSN_0a1b2c%5`.
 *
 * @example
 * couldStartToken('[CREDIT_CA'); // true
 * couldStartToken('[CREDIT_CA]'); // false: that can no longer become a token
 */
export function couldStartToken(tail: string): boolean {
  return couldStartTokenAt((i) => tail.charCodeAt(i), 0, tail.length);
}

/**
 * {@link couldStartToken} over the character codes `code(start)`..`code(end - 1)`, so the same check serves
 * strings and byte buffers.
 *
 * @example
 * const buf = Buffer.from('abc [SSN_');
 * couldStartTokenAt((i) => buf[i]!, 4, buf.length); // true
 */
export function couldStartTokenAt(code: (i: number) => number, start: number, end: number): boolean {
  const len = end - start;
  if (len <= 0 || len > MAX_TOKEN_PREFIX_LENGTH) return false;
  const first = code(start);
  let encoded: boolean;
  let i: number;
  if (first === 91) {
    encoded = false;
    i = start + 1;
  } else if (first === 37) {
    encoded = true;
    if (len >= 2 && code(start + 1) !== 53) return false;
    if (len >= 3 && code(start + 2) !== 66 && code(start + 2) !== 98) return false;
    if (len <= 3) return true;
    i = start + 3;
  } else {
    return false;
  }
  const typeStart = i;
  while (i < end && isUpperOrUnderscore(code(i))) i++;
  let upper = '';
  for (let k = typeStart; k < i; k++) upper += String.fromCharCode(code(k));
  if (i === end) return TYPE_PARTS.some((p) => p.startsWith(upper));
  // Hex digits may follow only a complete `TYPE_`.
  if (!TYPE_BY_PREFIX.has(upper.slice(0, -1)) || !upper.endsWith('_')) return false;
  let hexCount = 0;
  while (i < end && hexCount < TOKEN_HEX_DIGITS && isLowerHex(code(i))) {
    i++;
    hexCount++;
  }
  if (i === end) return true;
  // Only the percent-encoded closer `%5D` can be incomplete after all six digits.
  if (!encoded || hexCount !== TOKEN_HEX_DIGITS || code(i) !== 37) return false;
  if (end - i === 1) return true;
  return end - i === 2 && code(i + 1) === 53;
}
