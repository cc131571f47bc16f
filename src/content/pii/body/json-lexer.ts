/**
 * The scalar literals of a JSON text, found without building the value tree: strings (keys and values)
 * and numbers, each with its raw offsets, so redaction can rewrite exactly those bytes and leave all
 * formatting alone. Nesting is tracked on an explicit stack, never the JS call stack, so 100,000 levels
 * cost what 100,000 characters cost.
 */

/** Kinds of literal: a string without escapes, a string with backslash escapes (decode before scanning), a number. */
export const LiteralKind = { String: 0, EscapedString: 1, Number: 2 } as const;

/** One of the values of {@link LiteralKind}. */
export type LiteralKind = (typeof LiteralKind)[keyof typeof LiteralKind];

/** Literals as parallel arrays (one entry per literal), cheaper than an object per literal. */
export interface JsonLiterals {
  /** Offset of the opening quote, or of the first character of a number. */
  starts: number[];
  /** Offset just past the closing quote or the last digit. */
  ends: number[];
  kinds: LiteralKind[];
}

// Parser states: expecting a value, after a value, expecting a key, expecting a colon.
const VALUE = 0;
const AFTER_VALUE = 1;
const KEY = 2;
const COLON = 3;

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

/**
 * Lexes `text` as one JSON value (or, with `sequence`, any number of whitespace-separated values as in
 * NDJSON and JSON text sequences). Returns undefined when the text is not JSON of that shape; then
 * the caller scans it as plain text.
 *
 * @example
 * lexJson('{"a": 12}'); // { starts: [1, 6], ends: [4, 8], kinds: [String, Number] }
 */
export function lexJson(text: string, sequence = false): JsonLiterals | undefined {
  const starts: number[] = [];
  const ends: number[] = [];
  const kinds: LiteralKind[] = [];
  const stack: number[] = [];
  const n = text.length;
  let state: number = VALUE;
  let mayClose = false;
  let nextBackslash = text.indexOf('\\');
  // A byte order mark is not JSON but is common enough in bodies to tolerate.
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (true) {
    // Whitespace; JSON text sequences also put RS (0x1e) before each value.
    let c = text.charCodeAt(i);
    while (c === 32 || c === 10 || c === 13 || c === 9 || (sequence && c === 30)) c = text.charCodeAt(++i);
    if (i >= n) break;
    if (state === AFTER_VALUE) {
      const top = stack.length === 0 ? -1 : stack[stack.length - 1]!;
      if (top === -1) {
        if (!sequence) return undefined;
        state = VALUE;
        continue;
      }
      if (c === 44) {
        state = top === 123 ? KEY : VALUE;
        mayClose = false;
        i++;
      } else if ((c === 93 && top === 91) || (c === 125 && top === 123)) {
        stack.pop();
        i++;
      } else {
        return undefined;
      }
      continue;
    }
    if (state === COLON) {
      if (c !== 58) return undefined;
      state = VALUE;
      mayClose = false;
      i++;
      continue;
    }
    if (state === KEY) {
      if (c === 125 && mayClose) {
        stack.pop();
        state = AFTER_VALUE;
        i++;
        continue;
      }
      if (c !== 34) return undefined;
    }
    // A value (or a key, which is a string).
    if (c === 34) {
      const end = stringEnd(text, i);
      if (end < 0) return undefined;
      if (nextBackslash !== -1 && nextBackslash < i) nextBackslash = text.indexOf('\\', i);
      starts.push(i);
      ends.push(end);
      kinds.push(
        nextBackslash !== -1 && nextBackslash < end ? LiteralKind.EscapedString : LiteralKind.String,
      );
      i = end;
      state = state === KEY ? COLON : AFTER_VALUE;
    } else if (c === 123 || c === 91) {
      stack.push(c);
      state = c === 123 ? KEY : VALUE;
      mayClose = true;
      i++;
      continue;
    } else if (c === 93 && mayClose && stack[stack.length - 1] === 91) {
      stack.pop();
      state = AFTER_VALUE;
      i++;
    } else if (c === 45 || (c >= 48 && c <= 57)) {
      NUMBER.lastIndex = i;
      if (!NUMBER.test(text)) return undefined;
      starts.push(i);
      ends.push(NUMBER.lastIndex);
      kinds.push(LiteralKind.Number);
      i = NUMBER.lastIndex;
      state = AFTER_VALUE;
    } else if (text.startsWith('true', i) || text.startsWith('null', i)) {
      i += 4;
      state = AFTER_VALUE;
    } else if (text.startsWith('false', i)) {
      i += 5;
      state = AFTER_VALUE;
    } else {
      return undefined;
    }
    mayClose = false;
  }
  // Also rejects an empty text, which never leaves VALUE.
  if (stack.length !== 0 || state !== AFTER_VALUE) return undefined;
  return { starts, ends, kinds };
}

/** Offset just past the closing quote of the string opening at `open`, or -1 if it never closes. */
function stringEnd(text: string, open: number): number {
  let from = open + 1;
  while (true) {
    const q = text.indexOf('"', from);
    if (q < 0) return -1;
    let backslashes = 0;
    for (let k = q - 1; k > open && text.charCodeAt(k) === 92; k--) backslashes++;
    if ((backslashes & 1) === 0) return q + 1;
    from = q + 1;
  }
}
