import type { PiiDetector, PiiFinding } from '../types.js';
import {
  extendRun,
  isDigitCode,
  luhnValid,
  numberEndsCleanly,
  numberStartsCleanly,
  windowBefore,
} from './text-scan.js';

// Runs of at least 12 digits, in groups joined by single spaces or dashes: `4111 1111 1111 1111`,
// `3782-822463-10005`. Unambiguous (every repetition consumes one digit, an optional separator only
// before it), so it runs in linear time, and the many short numbers of a body never leave the engine;
// `(?<!\d)` starts attempts only at the first digit of a run. The repetition is bounded (see
// extendRun) and RUN_STEP continues a longer run.
const DIGIT_GROUPS = /(?<!\d)\d(?:[ -]?\d){11,256}/g;
const RUN_STEP = /(?:[ -]?\d){1,256}/y;

// 12-digit Maestro numbers look like many other identifiers; they count only near a card word.
const CARD_CONTEXT = /\b(?:cards?|cc|credit|debit|maestro|visa|mastercard|amex|pan|payment|charge)\b/;

interface Brand {
  readonly name: string;
  readonly lengths: readonly number[];
  /** Inclusive numeric ranges of the leading digits, compared on the same number of digits. */
  readonly ranges: ReadonlyArray<readonly [string, string]>;
}

const range = (from: number, to: number): readonly number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

// Issuer prefixes (IIN ranges) and lengths of the major brands. Deliberately table-driven so a new
// range is one line; order does not matter because a number only needs to fit one brand.
const BRANDS: readonly Brand[] = [
  { name: 'visa', lengths: [13, 16, 19], ranges: [['4', '4']] },
  {
    name: 'mastercard',
    lengths: [16],
    ranges: [
      ['51', '55'],
      ['2221', '2720'],
    ],
  },
  {
    name: 'amex',
    lengths: [15],
    ranges: [
      ['34', '34'],
      ['37', '37'],
    ],
  },
  {
    name: 'discover',
    lengths: range(16, 19),
    ranges: [
      ['6011', '6011'],
      ['644', '649'],
      ['65', '65'],
    ],
  },
  { name: 'unionpay', lengths: range(16, 19), ranges: [['62', '62']] },
  { name: 'jcb', lengths: range(16, 19), ranges: [['35', '35']] },
  {
    name: 'jcb-15',
    lengths: [15],
    ranges: [
      ['1800', '1800'],
      ['2131', '2131'],
    ],
  },
  {
    name: 'diners',
    lengths: range(14, 19),
    ranges: [
      ['300', '305'],
      ['3095', '3095'],
      ['36', '36'],
      ['38', '39'],
    ],
  },
  { name: 'mir', lengths: range(16, 19), ranges: [['2200', '2204']] },
  {
    name: 'maestro',
    lengths: range(12, 19),
    // 0604 appears in published Maestro IIN tables (and test-data generators) alongside 50 and 56–69.
    ranges: [
      ['50', '50'],
      ['56', '69'],
      ['0604', '0604'],
    ],
  },
];

/**
 * The brand whose issuer prefix and length fit `digits`, or undefined.
 *
 * @example
 * cardBrand('4111111111111111'); // 'visa'
 * cardBrand('1234567812345678'); // undefined
 */
export function cardBrand(digits: string): string | undefined {
  for (const brand of BRANDS) {
    if (!brand.lengths.includes(digits.length)) continue;
    for (const [lo, hi] of brand.ranges) {
      const head = digits.slice(0, lo.length);
      if (head >= lo && head <= hi) return brand.name;
    }
  }
  return undefined;
}

/**
 * Detects payment card numbers: 12–19 digits, optionally in groups of three or more digits (four or
 * more first) separated by single spaces or dashes (one kind per number), with a known brand prefix
 * and length and a valid Luhn checksum.
 * 12-digit numbers (Maestro only) additionally need a card word such as "card" or "cc" shortly before.
 *
 * @example
 * createCreditCardDetector().detect('charge 4111 1111 1111 1111 now');
 * // [{ type: 'credit_card', start: 7, end: 26, detector: 'credit_card', score: 1 }]
 */
export function createCreditCardDetector(): PiiDetector {
  return {
    type: 'credit_card',
    detect(text: string): PiiFinding[] {
      const out: PiiFinding[] = [];
      const re = new RegExp(DIGIT_GROUPS.source, 'g');
      const step = new RegExp(RUN_STEP.source, 'y');
      let m: RegExpExecArray | null;
      while ((m = re.exec(text)) !== null) {
        const runStart = m.index;
        const runEnd = extendRun(text, runStart + m[0].length, step);
        re.lastIndex = runEnd;
        findCardsInRun(text, runStart, runEnd, out);
      }
      return out;
    },
  };
}

/** End of the digit group starting at `at`. */
function groupEnd(text: string, at: number, runEnd: number): number {
  let i = at;
  while (i < runEnd && isDigitCode(text.charCodeAt(i))) i++;
  return i;
}

/**
 * Walks the groups of one run; from each group it takes the longest card that starts there. Groups
 * are found on the fly, so a run of millions of groups needs no memory beyond the findings.
 */
function findCardsInRun(text: string, runStart: number, runEnd: number, out: PiiFinding[]): void {
  let at = runStart;
  while (at < runEnd) {
    const found =
      at === runStart && !numberStartsCleanly(text, at) ? undefined : longestCardFrom(text, at, runEnd);
    if (found !== undefined) {
      out.push({ type: 'credit_card', start: at, end: found, detector: 'credit_card', score: 1 });
      at = found + 1;
    } else {
      at = groupEnd(text, at, runEnd) + 1;
    }
  }
}

/** End offset of the longest card starting at the group at `from`, or undefined. */
function longestCardFrom(text: string, from: number, runEnd: number): number | undefined {
  let digits = '';
  let sep = -1;
  let best: number | undefined;
  let at = from;
  while (at < runEnd) {
    if (at > from) {
      const s = text.charCodeAt(at - 1);
      if (sep === -1) sep = s;
      else if (s !== sep) break; // `4111-1111 1111-1111` mixes separators: not one number
    }
    const end = groupEnd(text, at, runEnd);
    // Printed card numbers group digits in fours to sixes (a last group of three at most shorter);
    // `1 1 1 1 …` or `12-34-56…` is never one, and stopping here keeps such runs cheap.
    if (end - at < (at === from ? 4 : 3)) break;
    digits += text.slice(at, end);
    if (digits.length > 19) break;
    at = end + 1;
    if (digits.length < 12) continue;
    if (end === runEnd && !numberEndsCleanly(text, end)) continue;
    if (!luhnValid(digits) || cardBrand(digits) === undefined) continue;
    if (digits.length === 12 && !CARD_CONTEXT.test(windowBefore(text, from, 50))) continue;
    best = end;
  }
  return best;
}
