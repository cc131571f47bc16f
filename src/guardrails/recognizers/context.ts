/**
 * Context words for the pattern recognizers. Document numbers have no structure of their own (a
 * passport number is nine digits, like an order number), so a candidate counts only when a cue such
 * as "passport no." or "MRN" labels it. A cue labels the nearest number: the gap between cue and
 * number may hold punctuation and a few words, but no other digits and no word that names another
 * kind of value ("expires", "phone", "order", …).
 */

/** A cue and the score a candidate it labels earns. */
export interface Cue {
  /** Matched against the text around the candidate; no `g`/`y` flag (a copy is made). */
  readonly pattern: RegExp;
  /** Score of a candidate this cue labels from before it; from after, a little less. */
  readonly score: number;
  /** Stable id reported in the finding's recognizer name, e.g. `mrn`. */
  readonly id: string;
}

/** How far a cue may sit from its number, in characters of gap. */
const MAX_GAP_BEFORE = 32;
const MAX_GAP_AFTER = 16;
const WINDOW = 96;

/** What a cue-after scores below the same cue before: "A1234567 (license)" is a looser label. */
const AFTER_PENALTY = 0.1;

// Words in the gap that make the number some other value: "passport expires 2030", "license issued
// 01/02", "account phone 555…", "MRN order 1234".
const OTHER_VALUE =
  /\b(?:date|dated|expir\w*|exp|issued?|issuance|valid|until|birth|born|dob|age|phone|tel|telephone|mobile|fax|zip|postal|order|invoice|ticket|ref|reference|tracking|amount|balance|total|usd|eur|price|year|years|version|v|page|line|room|suite|apt|ext)\b/i;

/**
 * The best score of the cues that label `[start, end)` in `text`, and the cue's id; undefined when
 * none does.
 *
 * @example
 * labelOf('Passport No.: 123456789', 14, 23, [{ pattern: /passport/i, score: 0.85, id: 'passport' }]);
 * // { score: 0.85, id: 'passport' }
 */
export function labelOf(
  text: string,
  start: number,
  end: number,
  cues: readonly Cue[],
): { score: number; id: string } | undefined {
  const before = text.slice(Math.max(0, start - WINDOW), start);
  const after = text.slice(end, Math.min(text.length, end + WINDOW));
  let best: { score: number; id: string } | undefined;
  for (const cue of cues) {
    let score = -1;
    const gapBefore = lastGapBefore(before, cue.pattern);
    if (gapBefore !== undefined && cleanGap(gapBefore, MAX_GAP_BEFORE)) score = cue.score;
    else {
      const gapAfter = firstGapAfter(after, cue.pattern);
      if (gapAfter !== undefined && cleanGap(gapAfter, MAX_GAP_AFTER)) score = cue.score - AFTER_PENALTY;
    }
    if (score > (best?.score ?? 0)) best = { score, id: cue.id };
  }
  return best;
}

/** Whether a gap between a cue and its number lets the cue label the number. */
function cleanGap(gap: string, max: number): boolean {
  return gap.length <= max && !/\d/.test(gap) && !OTHER_VALUE.test(gap) && !/[.!?]\s+[A-Z]/.test(gap);
}

/** The text between the last match of `pattern` in `window` and the window's end. */
function lastGapBefore(window: string, pattern: RegExp): string | undefined {
  const re = new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, '') + 'g');
  let last: RegExpExecArray | undefined;
  for (let m = re.exec(window); m !== null; m = re.exec(window)) {
    last = m;
    if (m[0].length === 0) re.lastIndex++;
  }
  return last ? window.slice(last.index + last[0].length) : undefined;
}

/** The text between the window's start and the first match of `pattern` in it. */
function firstGapAfter(window: string, pattern: RegExp): string | undefined {
  const re = new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
  const m = re.exec(window);
  return m ? window.slice(0, m.index) : undefined;
}
