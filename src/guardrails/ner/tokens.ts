/**
 * Word tokens for the NER recognizers, with the facts the rules need: offsets, capitalisation, and
 * whether the word is glued to code-like characters. Names are only ever built from `word` tokens,
 * so anything inside a GUID, hex string, timestamp, path, URL or identifier can never become one.
 */

/** What a whitespace-separated piece of text turned out to be. */
export type TokenKind =
  /** Letters with optional inner apostrophes or hyphens: `Smith`, `O'Brien`, `Jean-Luc`. */
  | 'word'
  /** One capital letter with or without a dot: the `J.` of `Sari J. Paavolainen`. */
  | 'initial'
  /** Anything else: numbers, identifiers, paths, hex, GUIDs, emails, URLs. Breaks every name. */
  | 'other';

/** One token of the text. */
export interface Token {
  kind: TokenKind;
  /** The token's text, without surrounding punctuation. */
  text: string;
  /** Lower-case form, used for every dictionary lookup. */
  lower: string;
  start: number;
  end: number;
  /** First letter upper case (`Smith`, `SMITH`, `J.`). */
  capitalized: boolean;
  /** Every letter upper case and more than one letter (`HYVINKÄÄ`, `SSN`). */
  allCaps: boolean;
  /** Punctuation between the previous token and this one, trimmed (`,`, `:`, `.`), or '' for none. */
  punctBefore: string;
  /** A line break lies between the previous token and this one (or this is the first token). */
  lineStart: boolean;
  /** First token of a sentence: after `.`/`!`/`?`, a line break, or at the start of the text. */
  sentenceStart: boolean;
  /** Punctuation right after the token (`'s` is reported as `'s`), or ''. */
  punctAfter: string;
}

const WORD = /^\p{L}[\p{L}\p{M}]*(?:['’-]\p{L}[\p{L}\p{M}]*)*$/u;
const INITIAL = /^\p{Lu}$/u;
/** Eight or more hex digits (`DEADBEEF`, `cafebabe`) are ids or hashes, whatever letters they use. */
const HEX_RUN = /^[0-9a-f]{8,}$/iu;
/** Words whose dot does not end a sentence. */
const ABBREVIATIONS = new Set([
  'mr',
  'mrs',
  'ms',
  'dr',
  'prof',
  'st',
  'jr',
  'sr',
  'mt',
  'rev',
  'hon',
  'capt',
  'gen',
  'col',
  'lt',
  'sgt',
  'no',
  'vs',
  'etc',
  'inc',
  'ltd',
  'co',
  'corp',
  'e.g',
  'i.e',
]);
/** An upper-case letter after a lower-case one marks camelCase code, except in surnames like McDonald. */
const INNER_CAPITAL = /\p{Ll}\p{Lu}/u;
const NAME_PREFIX_CAMEL = /^(?:Mc|Mac|De|Di|Da|La|Le|Van|Von|Fitz)\p{Lu}\p{Ll}/u;
const LEADING_PUNCT = /^[([{"'“‘«<>*•\-–—]+/u;
const TRAILING_PUNCT = /[)\]}"'”’»,;:!?.…>*]+$/u;
const POSSESSIVE = /['’]s$/u;
/** A colon between a word and an opening quote: `Name:"Hello"`. */
const SPEECH_COLON = /(?<=\p{L}):(?=["“])/u;

/**
 * Splits text into tokens at whitespace, peeling punctuation off each piece. A piece that is not a
 * plain word after that (it holds digits, `_`, `/`, `@`, `=`, inner dots, camelCase...) becomes one
 * `other` token, which is what keeps names out of machine-generated text.
 *
 * @example
 * tokenize('Dear Mr. Smith,').map((t) => t.text); // ['Dear', 'Mr', 'Smith']
 */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const piece = /\S+/gu;
  let pendingPunct = '';
  let pendingSentenceEnd = true;
  let lastEnd = 0;
  for (let m = piece.exec(text); m !== null; m = piece.exec(text)) {
    let raw = m[0];
    let start = m.index;
    // `Elizabeth:"I'm`: a speaker's colon glued to the quote is two pieces, as if spaced.
    const speech = SPEECH_COLON.exec(raw);
    if (speech) {
      raw = raw.slice(0, speech.index + 1);
      piece.lastIndex = start + raw.length;
    }
    const gap = text.slice(lastEnd, start);
    const lineBreak = tokens.length === 0 || gap.includes('\n');
    lastEnd = start + raw.length;
    const lead = LEADING_PUNCT.exec(raw);
    if (lead) {
      pendingPunct += lead[0];
      raw = raw.slice(lead[0].length);
      start += lead[0].length;
      if (raw === '') continue;
    }
    let punctAfter = '';
    const trail = TRAILING_PUNCT.exec(raw);
    if (trail && trail[0].length < raw.length) {
      // Keep the dot of an initial ("J.") and of an honorific ("Dr.") with the word: decided below.
      punctAfter = trail[0];
      raw = raw.slice(0, raw.length - trail[0].length);
    } else if (trail) {
      pendingPunct += raw;
      continue;
    }
    if (POSSESSIVE.test(raw) && raw.length > 2) {
      raw = raw.slice(0, -2);
      punctAfter = `'s${punctAfter}`;
    }
    const kind = classify(raw);
    const prev = tokens.at(-1);
    const sentenceStart =
      lineBreak ||
      pendingSentenceEnd ||
      /[.!?]/u.test(pendingPunct) ||
      (prev !== undefined &&
        /[.!?]/u.test(prev.punctAfter) &&
        prev.kind !== 'initial' &&
        !ABBREVIATIONS.has(prev.lower));
    const first = raw.charAt(0);
    const letters = raw.replace(/[^\p{L}]/gu, '');
    tokens.push({
      kind,
      text: raw,
      lower: raw.toLowerCase(),
      start,
      end: start + raw.length,
      capitalized: first !== first.toLowerCase(),
      allCaps: letters.length > 1 && letters === letters.toUpperCase() && letters !== letters.toLowerCase(),
      punctBefore: ((tokens.at(-1)?.punctAfter ?? '') + pendingPunct).trim(),
      lineStart: lineBreak,
      sentenceStart,
      punctAfter,
    });
    pendingPunct = '';
    pendingSentenceEnd = false;
  }
  return tokens;
}

function classify(raw: string): TokenKind {
  if (INITIAL.test(raw)) return 'initial';
  if (!WORD.test(raw) || HEX_RUN.test(raw)) return 'other';
  if (INNER_CAPITAL.test(raw) && !NAME_PREFIX_CAMEL.test(raw)) return 'other';
  return 'word';
}
