import type { PiiDetector, PiiFinding } from '../types.js';
import { isDigitCode, numberEndsCleanly, numberStartsCleanly, windowBefore } from './text-scan.js';

// 3-2-4 digits with one consistent separator (dash or space), or 9 digits in a row. The separator is
// captured so the second one can be required to match it: `123-45 6789` is not an SSN.
const SSN_SHAPE = /(?<!\d)(\d{3})([- ]?)(\d{2})\2(\d{4})/g;

// Words that make a bare 9-digit number an SSN. Without one, `123456789` is as likely an order number,
// a ZIP+4 or an ID, so the unseparated form needs this context.
const SSN_CONTEXT =
  /\b(?:ssn|ssns|ss#|ss\s?no|social\s+security|social\s+sec|soc\.?\s*sec|taxpayer|tax\s+id|tin)\b/;

/**
 * Whether the three parts can form an issued SSN: area 000, 666 and 900–999, group 00 and serial 0000
 * are never assigned. "Well-known test" numbers such as 123-45-6789 are deliberately not excluded.
 *
 * @example
 * isValidSsnParts('123', '45', '6789'); // true
 * isValidSsnParts('666', '12', '3456'); // false
 */
export function isValidSsnParts(area: string, group: string, serial: string): boolean {
  if (area === '000' || area === '666' || area[0] === '9') return false;
  if (group === '00') return false;
  if (serial === '0000') return false;
  return true;
}

/**
 * Detects US Social Security Numbers written `123-45-6789`, `123 45 6789` or `123456789`. Invalid
 * numbers (see {@link isValidSsnParts}) are ignored. The unseparated form is reported only when a word
 * such as "SSN" or "social security" comes shortly before it (score 0.9); separated forms need no
 * context (score 1 with dashes, 0.85 with spaces).
 *
 * @example
 * createSsnDetector().detect('SSN 123-45-6789'); // [{ type: 'ssn', start: 4, end: 15, detector: 'ssn', score: 1 }]
 */
export function createSsnDetector(): PiiDetector {
  return {
    type: 'ssn',
    detect(text: string): PiiFinding[] {
      const out: PiiFinding[] = [];
      const re = new RegExp(SSN_SHAPE.source, 'g');
      let m: RegExpExecArray | null;
      while ((m = re.exec(text)) !== null) {
        const start = m.index;
        const end = start + m[0].length;
        const [, area = '', sep = '', group = '', serial = ''] = m;
        if (!numberStartsCleanly(text, start) || !numberEndsCleanly(text, end)) {
          // Part of a longer number: skip its leading digit run so `1234567890123` is not re-split.
          let j = start;
          while (j < text.length && isDigitCode(text.charCodeAt(j))) j++;
          re.lastIndex = Math.max(j, start + 1);
          continue;
        }
        if (!isValidSsnParts(area, group, serial)) continue;
        if (partOfLongerDashedNumber(text, start, end, sep)) continue;
        let score = sep === '-' ? 1 : 0.85;
        if (sep === '') {
          if (!SSN_CONTEXT.test(windowBefore(text, start, 40))) continue;
          score = 0.9;
        }
        out.push({ type: 'ssn', start, end, detector: 'ssn', score });
      }
      return out;
    },
  };
}

/** `12-123-45-6789` or `123-45-6789-01`: the SSN shape is only a piece of a longer grouped number. */
function partOfLongerDashedNumber(text: string, start: number, end: number, sep: string): boolean {
  if (sep === '') return false;
  const before = text.charCodeAt(start - 1);
  const after = text.charCodeAt(end);
  const sepCode = sep.charCodeAt(0);
  const digitAt = (i: number): boolean => i >= 0 && i < text.length && isDigitCode(text.charCodeAt(i));
  if (before === sepCode && digitAt(start - 2)) return true;
  if (after === sepCode && digitAt(end + 1)) return true;
  return false;
}
