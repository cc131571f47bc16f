/**
 * Word tokens of a text as hashed lexical features, in one linear pass and without building strings.
 *
 * Each token yields up to three features: the word itself, its first {@link PREFIX_LENGTH} letters
 * (so "including" and "include" share evidence) and the bigram with the previous token. Features are
 * 32-bit hashes reduced to a bucket by the model, so no vocabulary is stored and unseen words cost
 * nothing. Digit-only tokens all hash alike: numbers in invoices and tracebacks carry no meaning here.
 *
 * @example
 * const t = tokenize('ignore previous instructions');
 * t.count; // 3
 * t.start[1]; // 7
 */

/** Letters of the prefix feature; tokens this long or shorter have no prefix feature. */
export const PREFIX_LENGTH = 5;

/** Hashed tokens of a text; arrays are sized for capacity, only the first `count` entries are valid. */
export interface TokenStream {
  count: number;
  /** Offset of each token in the tokenized text. */
  start: Int32Array;
  /** Exclusive end offset of each token. */
  end: Int32Array;
  /** Hash of the whole token. */
  word: Int32Array;
  /** Hash of the token's prefix, or 0 when the token is not longer than the prefix. */
  prefix: Int32Array;
}

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 16777619;
const NUMBER_HASH = 0x2f6b_1a3d;

/** Final avalanche of a 32-bit hash (murmur3 fmix32), so low bits are usable as bucket numbers. */
export function mixHash(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** Hash of the bigram (previous token, token); order matters. */
export function bigramHash(prev: number, cur: number): number {
  return mixHash(Math.imul(prev, 0x9e3779b1) ^ cur ^ 0x5bd1e995);
}

// Word characters: ASCII letters, digits and underscore, and letters above U+00BF except the
// punctuation blocks. CJK ideographs and kana are tokens of their own (no spaces between words).
function charClass(c: number): 0 | 1 | 2 {
  if (c < 0x80) {
    return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x5f ? 1 : 0;
  }
  if (c < 0xc0 || c === 0xd7 || c === 0xf7) return 0;
  if (c >= 0x2000 && c <= 0x2bff) return 0;
  if ((c >= 0x3040 && c <= 0x9fff) || (c >= 0xac00 && c <= 0xd7af) || (c >= 0xf900 && c <= 0xfaff)) return 2;
  if (c >= 0x3000 && c < 0x3040) return 0;
  if (c >= 0xfe30 && c <= 0xfe6f) return 0;
  if (c >= 0xff00 && c <= 0xff65) return 0;
  return 1;
}

/**
 * Tokenizes lower-cased text. Linear in its length; allocates five typed arrays sized for the worst
 * case of one token per two characters (grown if a CJK text has more).
 */
export function tokenize(lower: string): TokenStream {
  const n = lower.length;
  let cap = Math.max(16, (n >> 1) + 1);
  let start: Int32Array = new Int32Array(cap);
  let end: Int32Array = new Int32Array(cap);
  let word: Int32Array = new Int32Array(cap);
  let prefix: Int32Array = new Int32Array(cap);
  let count = 0;
  const push = (s: number, e: number, h: number, p: number): void => {
    if (count === cap) {
      cap *= 2;
      const grow = (a: Int32Array): Int32Array => {
        const b = new Int32Array(cap);
        b.set(a);
        return b;
      };
      start = grow(start);
      end = grow(end);
      word = grow(word);
      prefix = grow(prefix);
    }
    start[count] = s;
    end[count] = e;
    word[count] = h;
    prefix[count] = p;
    count++;
  };
  let i = 0;
  while (i < n) {
    const c = lower.charCodeAt(i);
    const cls = charClass(c);
    if (cls === 0) {
      i++;
      continue;
    }
    if (cls === 2) {
      push(i, i + 1, mixHash(Math.imul(FNV_OFFSET ^ c, FNV_PRIME)), 0);
      i++;
      continue;
    }
    const s = i;
    let h = FNV_OFFSET;
    let p = 0;
    let digitsOnly = true;
    while (i < n) {
      const d = lower.charCodeAt(i);
      if (charClass(d) !== 1) break;
      if (d < 0x30 || d > 0x39) digitsOnly = false;
      h = Math.imul(h ^ d, FNV_PRIME);
      i++;
      if (i - s === PREFIX_LENGTH) p = h;
    }
    if (digitsOnly) push(s, i, NUMBER_HASH, 0);
    else push(s, i, mixHash(h), i - s > PREFIX_LENGTH ? mixHash(p ^ 0x7f4a7c15) : 0);
  }
  return { count, start, end, word, prefix };
}
