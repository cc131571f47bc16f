import { isDigitCode } from '../../content/pii/detectors/text-scan.js';

/**
 * Shapes that make a digit run something other than a document number even when a cue is near: a
 * phone number (`(555) 867-5309`, `+1 555 867 5309`, `555-867-5309`) or a date (`2024-01-15`,
 * `15-01-2024`). The candidate is `[start, end)` of `text`; its surroundings are looked at too,
 * because a tokenizer that stops at `)` sees only `867-5309` of `(555) 867-5309`.
 *
 * @example
 * looksLikePhoneOrDate('call (555) 867-5309', 11, 19); // true
 * looksLikePhoneOrDate('MRN 00123456', 4, 12); // false
 */
export function looksLikePhoneOrDate(text: string, start: number, end: number): boolean {
  const raw = text.slice(start, end);
  if (PHONE_SHAPE.test(raw) || DATE_SHAPE.test(raw)) return true;
  const before = text.slice(Math.max(0, start - 8), start);
  if (/\+\d{0,3}[\s.-]?$/.test(before) || /\(\d{3}\)\s?$/.test(before)) return true;
  // `867-5309` after a three-digit area code and a separator.
  if (/^\d{3}-\d{4}$/.test(raw) && /\d{3}[\s.-]$/.test(before)) return true;
  return false;
}

const PHONE_SHAPE = /^(?:\d{3}[-. ]\d{3}[-. ]\d{4}|\d{3}-\d{4})$/;
const DATE_SHAPE = /^(?:\d{4}[-./ ]\d{1,2}[-./ ]\d{1,2}|\d{1,2}[-./ ]\d{1,2}[-./ ]\d{2,4})$/;

/**
 * Whether eight digits read as a calendar date `YYYYMMDD` of 1900–2099 (a compact date is as likely
 * as a number of that length, so it lowers the score rather than refusing).
 *
 * @example
 * isCompactDate('20240115'); // true
 * isCompactDate('20241315'); // false
 */
export function isCompactDate(digits: string): boolean {
  if (digits.length !== 8) return false;
  const year = Number(digits.slice(0, 4));
  const month = Number(digits.slice(4, 6));
  const day = Number(digits.slice(6, 8));
  return year >= 1900 && year <= 2099 && month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

/** `s` without spaces and dashes, upper-cased: the form state tables and checksums are written in. */
export function compact(s: string): string {
  return s.replace(/[\s-]/g, '').toUpperCase();
}

/** Whether every character of `s` is a digit. */
export function allDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (!isDigitCode(s.charCodeAt(i))) return false;
  return true;
}
