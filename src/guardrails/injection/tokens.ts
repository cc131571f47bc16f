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
const ASCII_CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  ASCII_CLASS[c] = (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x5f ? 1 : 0;
}

function charClass(c: number): 0 | 1 | 2 {
  if (c < 0x80) return ASCII_CLASS[c] as 0 | 1;
  if (c < 0xc0 || c === 0xd7 || c === 0xf7) return 0;
  if (c >= 0x2000 && c <= 0x2bff) return 0;
  if ((c >= 0x3040 && c <= 0x9fff) || (c >= 0xac00 && c <= 0xd7af) || (c >= 0xf900 && c <= 0xfaff)) return 2;
  if (c >= 0x3000 && c < 0x3040) return 0;
  if (c >= 0xfe30 && c <= 0xfe6f) return 0;
  if (c >= 0xff00 && c <= 0xff65) return 0;
  return 1;
}

function allocTokens(cap: number): TokenStream {
  return {
    count: 0,
    start: new Int32Array(cap),
    end: new Int32Array(cap),
    word: new Int32Array(cap),
    prefix: new Int32Array(cap),
  };
}

/** A stream of twice the capacity holding the first `count` tokens of `t`. */
function grown(t: TokenStream, count: number): TokenStream {
  const g = allocTokens(t.start.length * 2);
  g.start.set(t.start.subarray(0, count));
  g.end.set(t.end.subarray(0, count));
  g.word.set(t.word.subarray(0, count));
  g.prefix.set(t.prefix.subarray(0, count));
  return g;
}

/**
 * Tokenizes lower-cased text. Linear in its length. Writes into `reuse` when it is given and large
 * enough (a caller scoring many short texts saves four allocations per call), otherwise allocates
 * arrays sized for the worst case of one token per two characters (grown if a CJK text has more).
 * The result may be `reuse` itself: it is valid until the next call that reuses it.
 */
export function tokenize(lower: string, reuse?: TokenStream): TokenStream {
  const n = lower.length;
  const need = Math.max(16, (n >> 1) + 1);
  let out = reuse && reuse.start.length >= need ? reuse : allocTokens(need);
  // Plain locals, not captured by a closure, so the hot loop keeps them in registers.
  let start = out.start;
  let end = out.end;
  let word = out.word;
  let prefix = out.prefix;
  let count = 0;
  let i = 0;
  while (i < n) {
    const c = lower.charCodeAt(i);
    const cls = charClass(c);
    if (cls === 0) {
      i++;
      continue;
    }
    if (count === start.length) {
      out = grown(out, count);
      ({ start, end, word, prefix } = out);
    }
    if (cls === 2) {
      start[count] = i;
      end[count] = i + 1;
      word[count] = mixHash(Math.imul(FNV_OFFSET ^ c, FNV_PRIME));
      prefix[count] = 0;
      count++;
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
    start[count] = s;
    end[count] = i;
    word[count] = digitsOnly ? NUMBER_HASH : mixHash(h);
    prefix[count] = !digitsOnly && i - s > PREFIX_LENGTH ? mixHash(p ^ 0x7f4a7c15) : 0;
    count++;
  }
  out.count = count;
  return out;
}
