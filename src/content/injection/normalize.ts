/**
 * Folds text into the form the rules are written for, and notes the invisible characters it removed.
 *
 * Rules match lower-case text in which look-alike and invisible characters no longer split words:
 * `ig\u200Bnore`, full-width `ｉｇｎｏｒｅ`, mathematical `𝐢𝐠𝐧𝐨𝐫𝐞` and a Cyrillic `і` inside a Latin word
 * all read as `ignore`. Removed characters are counted because hiding them in text is itself a signal,
 * and Unicode tag characters (U+E0000 block, "ASCII smuggling") are decoded so their hidden message can
 * be scored. Plain ASCII, the common case, takes a fast path with no per-character work.
 *
 * @example
 * const n = normalizeForScan('Ig\u200Bnore previous instructions');
 * n.lower; // 'ignore previous instructions'
 * n.zeroWidthAt; // [2]
 */

/** Result of {@link normalizeForScan}. */
export interface NormalizedText {
  /** Folded text, same case as the input (encoded payloads are case-sensitive). */
  folded: string;
  /** `folded.toLowerCase()`; the same length as `folded`. */
  lower: string;
  /** Source offset of each folded offset (length + 1 entries), or undefined when they are equal. */
  map: Int32Array | undefined;
  /** Source offsets of zero-width or soft-hyphen characters between two letters (they only split words). */
  zeroWidthAt: number[];
  /** Source offsets of bidi override and isolate controls (U+202A–U+202E, U+2066–U+2069). */
  bidiAt: number[];
  /** Runs of Unicode tag characters that are not part of an emoji flag sequence. */
  tagRuns: Array<{ start: number; end: number; text: string }>;
}

const ZERO_WIDTH = new Set([
  0x200b, 0x200c, 0x200d, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0xfeff, 0x00ad, 0x180e, 0x034f,
]);
const SPACES = new Set([0x00a0, 0x1680, 0x202f, 0x205f, 0x3000, 0x2028, 0x2029]);
// Look-alikes of Latin letters, folded only next to a Latin letter so Russian or Greek words stay intact.
const CONFUSABLES = new Map<number, number>([
  [0x0430, 0x61],
  [0x0435, 0x65],
  [0x043e, 0x6f],
  [0x0440, 0x70],
  [0x0441, 0x63],
  [0x0443, 0x79],
  [0x0445, 0x78],
  [0x0456, 0x69],
  [0x0458, 0x6a],
  [0x0455, 0x73],
  [0x0501, 0x64],
  [0x0261, 0x67],
  [0x03bf, 0x6f],
  [0x03b1, 0x61],
  [0x03b5, 0x65],
  [0x03b9, 0x69],
  [0x03bd, 0x76],
  [0x03c1, 0x70],
  [0x0410, 0x41],
  [0x0415, 0x45],
  [0x041e, 0x4f],
  [0x0420, 0x50],
  [0x0421, 0x43],
  [0x0406, 0x49],
]);
// Positions beyond this many add nothing to a score (repeats saturate) and would only cost memory.
const MAX_POSITIONS = 1000;
// Only characters that folding changes send the text down the careful path; other non-ASCII text
// (accents, CJK, symbols) is lower-cased as is.
const NEEDS_FOLDING =
  /\u034f|\ud835|\udb40|[\u00a0\u00ad\u0130\u02bc\u0370-\u03ff\u0400-\u04ff\u0501\u0261\u1680\u180e\u2000-\u200f\u2018\u2019\u201b-\u201e\u2028-\u202f\u2032\u2033\u205f-\u2064\u2066-\u2069\u3000\ufeff\uff01-\uff5e]/;

function isAsciiLetter(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}

function isLetterLike(c: number): boolean {
  return isAsciiLetter(c) || (c >= 0xc0 && c <= 0x24f) || (c >= 0x370 && c <= 0x52f);
}

function isZeroWidth(c: number): boolean {
  return ZERO_WIDTH.has(c);
}

function isBidiControl(c: number): boolean {
  return (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

// Characters that folding removes or merges (so offsets change): the per-character path handles them.
const CHANGES_LENGTH =
  /\u034f|\ud835|\udb40|[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;
// Characters that fold one-for-one: replaced in place, offsets unchanged.
const ONE_FOR_ONE =
  /[\u00a0\u0130\u02bc\u0370-\u03ff\u0400-\u04ff\u0501\u0261\u1680\u2000-\u200a\u2018\u2019\u201b-\u201e\u2028\u2029\u202f\u2032\u2033\u205f\u3000\uff01-\uff5e]/g;

/** The one-for-one folding of the character at `i` (see {@link normalizeForScan}). */
function foldOne(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c >= 0xff01 && c <= 0xff5e) return c - 0xfee0;
  if (SPACES.has(c) || (c >= 0x2000 && c <= 0x200a)) return 0x20;
  if (c === 0x2018 || c === 0x2019 || c === 0x201b || c === 0x2032 || c === 0x02bc) return 0x27;
  if (c === 0x201c || c === 0x201d || c === 0x201e || c === 0x2033) return 0x22;
  if (c === 0x0130) return 0x49;
  const latin = CONFUSABLES.get(c);
  if (latin !== undefined) {
    const before = i > 0 ? text.charCodeAt(i - 1) : 0;
    const after = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
    if (isAsciiLetter(before) || isAsciiLetter(after)) return latin;
  }
  return c;
}

function plain(folded: string): NormalizedText {
  return { folded, lower: folded.toLowerCase(), map: undefined, zeroWidthAt: [], bidiAt: [], tagRuns: [] };
}

/** Folds `text` for scanning; see the module comment. Linear in the length of `text`. */
export function normalizeForScan(text: string): NormalizedText {
  if (!NEEDS_FOLDING.test(text)) return plain(text);
  if (!CHANGES_LENGTH.test(text)) {
    return plain(
      text.replace(ONE_FOR_ONE, (_ch: string, at: number) => String.fromCharCode(foldOne(text, at))),
    );
  }
  const n = text.length;
  const out = new Uint16Array(n);
  const map = new Int32Array(n + 1);
  let len = 0;
  const zeroWidthAt: number[] = [];
  const bidiAt: number[] = [];
  const tagRuns: NormalizedText['tagRuns'] = [];
  let tagStart = -1;
  let tagChars: number[] = [];
  let lastOut = 0;

  const endTagRun = (end: number): void => {
    if (tagStart < 0) return;
    // An emoji subdivision flag (black flag U+1F3F4, a few tags, cancel tag) is legitimate.
    const flag =
      tagStart >= 2 && text.charCodeAt(tagStart - 2) === 0xd83c && text.charCodeAt(tagStart - 1) === 0xdff4;
    if (!flag || tagChars.length > 8) {
      tagRuns.push({ start: tagStart, end, text: String.fromCharCode(...tagChars.slice(0, 4096)) });
    }
    tagStart = -1;
    tagChars = [];
  };

  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      if (tagStart >= 0) endTagRun(i);
      map[len] = i;
      out[len++] = c;
      lastOut = c;
      continue;
    }
    // Unicode tag characters: U+E0000..U+E007F are the surrogate pair DB40 DC00..DC7F.
    if (c === 0xdb40 && i + 1 < n) {
      const lo = text.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdc7f) {
        if (tagStart < 0) tagStart = i;
        const ascii = lo - 0xdc00;
        if (ascii >= 0x20 && ascii <= 0x7e && tagChars.length < 65536) tagChars.push(ascii);
        i++;
        continue;
      }
    }
    if (tagStart >= 0) endTagRun(i);
    if (isZeroWidth(c)) {
      const next = i + 1 < n ? text.charCodeAt(i + 1) : 0;
      if (isLetterLike(lastOut) && isLetterLike(next) && zeroWidthAt.length < MAX_POSITIONS)
        zeroWidthAt.push(i);
      continue;
    }
    if (isBidiControl(c)) {
      if (bidiAt.length < MAX_POSITIONS) bidiAt.push(i);
      continue;
    }
    let folded = c;
    if (c === 0xd835 && i + 1 < n) {
      // Mathematical alphanumerics (U+1D400..U+1D7FF) fold to ASCII under NFKC.
      const pair = text.slice(i, i + 2).normalize('NFKC');
      if (pair.length === 1) {
        map[len] = i;
        out[len++] = pair.charCodeAt(0);
        lastOut = pair.charCodeAt(0);
        i++;
        continue;
      }
    } else {
      folded = foldOne(text, i);
    }
    map[len] = i;
    out[len++] = folded;
    lastOut = folded;
  }
  if (tagStart >= 0) endTagRun(n);
  map[len] = n;

  let folded = '';
  const CHUNK = 8192;
  for (let k = 0; k < len; k += CHUNK) {
    folded += String.fromCharCode.apply(
      null,
      out.subarray(k, Math.min(len, k + CHUNK)) as unknown as number[],
    );
  }
  const lower = folded.toLowerCase();
  return {
    folded,
    lower: lower.length === folded.length ? lower : folded,
    map: map.subarray(0, len + 1),
    zeroWidthAt,
    bidiAt,
    tagRuns,
  };
}

/** Maps an offset of the folded text back to the source text. */
export function toSourceOffset(norm: NormalizedText, offset: number): number {
  if (!norm.map) return offset;
  const m = norm.map;
  return m[Math.max(0, Math.min(offset, m.length - 1))] ?? offset;
}
