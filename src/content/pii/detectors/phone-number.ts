import type { CountryCode } from 'libphonenumber-js/max';
import {
  findPhoneNumbersInText,
  getCountryCallingCode,
  isSupportedCountry,
  Metadata,
  parsePhoneNumberFromString,
} from 'libphonenumber-js/max';
import { LRUCache } from 'lru-cache';
import { InvalidArgumentError } from '../../../errors.js';
import type { PiiDetector, PiiFinding } from '../types.js';
import { hasPhoneContext, looksLikeOtherNumber } from './phone-context.js';
import type { Span } from './spans.js';
import { digitsOf, extendRun, isDigitCode, numberEndsCleanly, numberStartsCleanly } from './text-scan.js';

// A phone-shaped run: optional `+` or `(`, then digits where single separators (space, dot, dash,
// slash, no-break space) and parentheses may sit between digits: `+46 (0)8 928 571 38`,
// `(579)888-3058`, `03.93.92.16.85`. Every repetition consumes a digit and the alternatives start with
// different characters, so matching is linear. At least seven digits (`{6,}` after the first), so
// the many short numbers of a JSON body never leave the regex engine; the lookbehind starts attempts
// only where a number starts.
const CANDIDATE = /(?<![\d+(])(?:\+|\(\+?)?\d(?:\d|[ .\-/\u00a0]\(?\d|\)[ .\-/\u00a0]?\d){6,256}\)?/g;
// Continues a candidate that reached the repetition bound (see extendRun).
const CANDIDATE_STEP = /(?:\d|[ .\-/\u00a0]\(?\d|\)[ .\-/\u00a0]?\d){1,256}/y;
// An extension after the number: `x4587`, ` ext. 12`, ` #3`.
const EXTENSION = /[ \u00a0]?(?:x|ext\.?|extension|#)[ \u00a0]?\d{1,6}/iy;
const DATE_LIKE = /^(?:\d{4}[-./ ]\d{1,2}[-./ ]\d{1,2}|\d{1,2}[-./ ]\d{1,2}[-./ ]\d{4})$/;
const DOTTED_QUAD = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;
const MIN_DIGITS = 7;
const MAX_DIGITS = 15; // E.164
/** Longest run of space-separated groups tried as one number (`+46 (0)8 928 571 38` has five). */
const MAX_PIECES = 6;
// libphonenumber-js takes tens of microseconds per number. A body made of nothing but distinct
// phone-shaped numbers could otherwise cost seconds per MiB; past this budget per scan, formatted
// candidates are judged by context alone (as unformatted ones always are).
const LIBRARY_CALLS_BASE = 2_000;
const LIBRARY_CALLS_PER_CHARS = 512;

/** State of one scan. */
interface Pass {
  readonly text: string;
  readonly ext: RegExp;
  readonly out: PiiFinding[];
  libraryBudget: number;
}

/** Options of {@link createPhoneNumberDetector}. */
export interface PhoneNumberDetectorOptions {
  /**
   * ISO 3166 region codes whose national formats are validated (with libphonenumber-js), in order.
   * Default `['US']`. International numbers (`+44 …`) are recognised whatever the list says.
   */
  regions?: readonly string[];
  /** How many distinct candidate numbers to remember the verdict for; default 10,000. */
  cacheSize?: number;
}

/** A phone detector that can skip spans already claimed by a higher-priority type. */
export interface PhoneNumberDetector extends PiiDetector {
  readonly type: 'phone_number';
  readonly regions: readonly string[];
  /** Like `detect`, but ignores candidates overlapping `taken` (sorted by start, non-overlapping). */
  detectAvoiding(text: string, taken: readonly Span[]): PiiFinding[];
}

/**
 * Detects phone numbers in three tiers, cheapest evidence last:
 * 1. national or international formats that libphonenumber-js's finder validates for one of the
 *    configured regions (score 1);
 * 2. numbers written with a `+` country code that libphonenumber-js considers possible (score 0.8);
 * 3. phone-shaped digit groups (7–15 digits) next to a phone word such as "Phone:", "call me at" or
 *    "(fax)" — how most non-validating and foreign national formats are written (score 0.6).
 * Bare digit strings (no `+`, separators or parentheses) count only in tier 3, so IDs and timestamps in
 * JSON are not phones. Dates and dotted quads are never phones.
 *
 * @throws {InvalidArgumentError} when a region code is not one libphonenumber-js knows.
 * @example
 * const d = createPhoneNumberDetector({ regions: ['US', 'GB'] });
 * d.detect('Call (212) 555-0187 or +44 20 7946 0958');
 * // two findings of type phone_number
 */
export function createPhoneNumberDetector(options: PhoneNumberDetectorOptions = {}): PhoneNumberDetector {
  const regions = validateRegions(options.regions ?? ['US']);
  const lengthsByRegion = new Map(regions.map((r) => [r, possibleWrittenLengths(r)]));
  const verdicts = new LRUCache<string, number>({ max: Math.max(1, options.cacheSize ?? 10_000) });

  /** libphonenumber-js's verdict on a formatted candidate: 1 valid, 0.8 possible international, 0 no. */
  function libraryScore(candidate: string, digits: string, international: boolean, pass: Pass): number {
    const cached = verdicts.get(candidate);
    if (cached !== undefined) return cached;
    if (pass.libraryBudget <= 0) return 0;
    pass.libraryBudget--;
    let score = 0;
    if (international) {
      const parsed = parsePhoneNumberFromString(candidate);
      if (parsed?.isValid()) score = 1;
      else if (parsed?.isPossible()) score = 0.8;
    } else {
      for (const region of regions) {
        const lengths = lengthsByRegion.get(region) as ReadonlySet<number>;
        // Cheap length screen before the (much slower) finder.
        if (!lengths.has(digits.length)) continue;
        const found = findPhoneNumbersInText(candidate, { defaultCountry: region as CountryCode });
        if (found.some((f) => digitsOf(candidate.slice(f.startsAt, f.endsAt)).length >= digits.length - 3)) {
          score = 1;
          break;
        }
      }
    }
    verdicts.set(candidate, score);
    return score;
  }

  function detectAvoiding(text: string, taken: readonly Span[]): PiiFinding[] {
    const pass: Pass = {
      text,
      ext: new RegExp(EXTENSION.source, 'iy'),
      out: [],
      libraryBudget: LIBRARY_CALLS_BASE + Math.floor(text.length / LIBRARY_CALLS_PER_CHARS),
    };
    const re = new RegExp(CANDIDATE.source, 'g');
    const step = new RegExp(CANDIDATE_STEP.source, 'y');
    let t = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null) {
      const start = m.index;
      let end = start + m[0].length;
      if (!m[0].endsWith(')')) {
        end = extendRun(text, end, step);
        if (text.charCodeAt(end) === 41) end++;
        re.lastIndex = end;
      }
      while (t < taken.length && (taken[t] as Span).end <= start) t++;
      // Only the gaps between spans another type claimed (a card, an SSN, …) can still be phones.
      let from = start;
      for (let u = t; u < taken.length && (taken[u] as Span).start < end; u++) {
        const claimed = taken[u] as Span;
        if (claimed.start > from) considerRange(pass, from, claimed.start);
        from = Math.max(from, claimed.end);
      }
      if (from < end) considerRange(pass, from, end);
    }
    return pass.out;
  }

  /** Evaluates the candidate `[start, end)`, or, if it is too long, its space-separated pieces. */
  function considerRange(pass: Pass, start: number, end: number): void {
    const { text } = pass;
    // Trim separators left at the edges by a cut around a claimed span.
    while (start < end && !isDigitCode(text.charCodeAt(start)) && !'+('.includes(text[start] as string))
      start++;
    while (end > start && !isDigitCode(text.charCodeAt(end - 1)) && text.charCodeAt(end - 1) !== 41) end--;
    if (end - start < MIN_DIGITS) return;
    if (countDigitsIn(text, start, end, MAX_DIGITS + 1) <= MAX_DIGITS) {
      const finding = evaluate(pass, start, end);
      if (finding) pass.out.push(finding);
      return;
    }
    // Numbers separated by single spaces form one run (`555-123-4567 555-987-6543`): try the pieces,
    // longest first, each at most MAX_PIECES space-separated groups and 7–15 digits. A sliding window
    // of the next MAX_PIECES groups keeps this linear, also for a run of millions of groups.
    const ends: number[] = [];
    const digits: number[] = [];
    let scan = start;
    let at = start;
    while (at < end) {
      while (ends.length < MAX_PIECES && scan < end) {
        let p = scan;
        let n = 0;
        while (p < end && text.charCodeAt(p) !== 32) {
          if (isDigitCode(text.charCodeAt(p))) n++;
          p++;
        }
        ends.push(p);
        digits.push(n);
        scan = p + 1;
      }
      let take = 1;
      let total = 0;
      let best = 0;
      for (let j = 0; j < ends.length; j++) {
        total += digits[j] as number;
        if (total > MAX_DIGITS) break;
        if (total >= MIN_DIGITS) best = j + 1;
      }
      for (let j = best; j > 0; j--) {
        const piece = evaluate(pass, at, ends[j - 1] as number);
        if (piece) {
          pass.out.push(piece);
          take = j;
          break;
        }
      }
      at = (ends[take - 1] as number) + 1;
      ends.splice(0, take);
      digits.splice(0, take);
    }
  }

  function evaluate(pass: Pass, start: number, end: number): PiiFinding | undefined {
    const { text, ext } = pass;
    let candidate = text.slice(start, end);
    // A closing parenthesis with no opening one belongs to the text (`1) …`), not the number.
    if (candidate.endsWith(')') && !candidate.includes('(')) {
      candidate = candidate.slice(0, -1);
      end--;
    }
    if (candidate.startsWith('(') && !candidate.includes(')')) {
      candidate = candidate.slice(1);
      start++;
    }
    const digitCount = countDigits(candidate);
    if (digitCount < MIN_DIGITS || digitCount > MAX_DIGITS) return undefined;
    ext.lastIndex = end;
    const fullEnd = ext.exec(text) ? ext.lastIndex : end;
    const first = candidate.charCodeAt(0);
    if (first !== 43 && first !== 40 && !numberStartsCleanly(text, start)) return undefined;
    if (!numberEndsCleanly(text, fullEnd)) return undefined;
    if (text.charCodeAt(fullEnd) === 58 && isDigitCode(text.charCodeAt(fullEnd + 1))) return undefined; // a time
    let score = 0;
    if (digitCount === candidate.length) {
      // Bare digits (IDs, timestamps, amounts): only a phone word makes them a phone.
      score = hasPhoneContext(text, start, end) ? 0.6 : 0;
    } else {
      if (DOTTED_QUAD.test(candidate) || candidate.split(/[ \u00a0]/).some((part) => DATE_LIKE.test(part))) {
        return undefined;
      }
      const international = first === 43 || candidate.startsWith('(+');
      // A validated national number can still be a house number or a postal code in the text.
      if (!international && looksLikeOtherNumber(text, start, fullEnd)) return undefined;
      score = libraryScore(candidate, digitsOf(candidate), international, pass);
      if (score === 0 && hasPhoneContext(text, start, end)) score = 0.6;
    }
    if (score === 0) return undefined;
    return { type: 'phone_number', start, end: fullEnd, detector: 'phone_number', score };
  }

  return {
    type: 'phone_number',
    regions,
    detect: (text: string) => detectAvoiding(text, []),
    detectAvoiding,
  };
}

function countDigitsIn(text: string, start: number, end: number, stopAt: number): number {
  let n = 0;
  for (let i = start; i < end && n < stopAt; i++) if (isDigitCode(text.charCodeAt(i))) n++;
  return n;
}

function countDigits(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (isDigitCode(s.charCodeAt(i))) n++;
  return n;
}

function validateRegions(input: readonly string[]): readonly string[] {
  if (input.length === 0) {
    throw new InvalidArgumentError('phoneRegions', 'needs at least one region code, e.g. ["US"]');
  }
  const out: string[] = [];
  for (const raw of input) {
    const code = String(raw).toUpperCase();
    if (!isSupportedCountry(code)) {
      throw new InvalidArgumentError(
        'phoneRegions',
        `"${raw}" is not a region libphonenumber-js knows; use ISO 3166 alpha-2 codes such as "US", "GB", "DE"`,
      );
    }
    if (!out.includes(code)) out.push(code);
  }
  return out;
}

/**
 * Digit counts a number of `region` can have as written: the national significant number, with a
 * one-digit trunk prefix (`0…`, `1…`), or with the country calling code in front (`1 212 555 0123`).
 */
function possibleWrittenLengths(region: string): ReadonlySet<number> {
  const metadata = new Metadata();
  metadata.selectNumberingPlan(region as CountryCode);
  const lengths = metadata.numberingPlan?.possibleLengths() ?? [];
  const cc = getCountryCallingCode(region as CountryCode).length;
  return new Set([...lengths, ...lengths.map((l) => l + 1), ...lengths.map((l) => l + cc)]);
}
