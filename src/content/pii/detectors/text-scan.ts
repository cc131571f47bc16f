/**
 * Small character-level helpers shared by the detectors. They work on UTF-16 code units and never
 * allocate, so detectors can call them for every candidate without slowing a 1 MiB scan.
 */

/** `0`–`9`. */
export function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** ASCII letter. */
export function isAsciiLetterCode(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/**
 * A character that glues onto a number or word so that a match touching it is really part of something
 * longer: ASCII letters and digits, `_`, and letters of other scripts (which the caller treats alike).
 */
export function isWordCode(c: number): boolean {
  return (
    isDigitCode(c) ||
    isAsciiLetterCode(c) ||
    c === 95 ||
    (c >= 0xc0 && c !== 0xd7 && c !== 0xf7 && c < 0x2000)
  );
}

/**
 * True when position `start` begins a standalone number: the character before is not part of a word and
 * is not a decimal point or digit-group comma of a preceding number (`3.14159…`, `1,234…`).
 */
export function numberStartsCleanly(text: string, start: number): boolean {
  if (start === 0) return true;
  const before = text.charCodeAt(start - 1);
  if (isWordCode(before)) return false;
  if ((before === 46 || before === 44) && start >= 2 && isDigitCode(text.charCodeAt(start - 2))) return false;
  return true;
}

/**
 * True when position `end` ends a standalone number: the next character is not part of a word and is not
 * a decimal point or comma followed by more digits.
 */
export function numberEndsCleanly(text: string, end: number): boolean {
  if (end >= text.length) return true;
  const after = text.charCodeAt(end);
  if (isWordCode(after)) return false;
  if ((after === 46 || after === 44) && end + 1 < text.length && isDigitCode(text.charCodeAt(end + 1)))
    return false;
  return true;
}

/** Only the digits of `s`. */
export function digitsOf(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isDigitCode(c)) out += s[i];
  }
  return out;
}

/** Luhn (mod 10) checksum over a string of digits, as used by payment cards. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/**
 * The lower-cased text of up to `width` characters before `start`, for context-word checks
 * ("SSN", "call me at", …). Cheap: it slices only the window.
 */
export function windowBefore(text: string, start: number, width: number): string {
  return text.slice(Math.max(0, start - width), start).toLowerCase();
}

/** The lower-cased text of up to `width` characters from `end`. */
export function windowAfter(text: string, end: number, width: number): string {
  return text.slice(end, Math.min(text.length, end + width)).toLowerCase();
}

/**
 * Extends a match that stopped at a regex's repetition bound: applies `step` (a sticky regex whose
 * repetitions are themselves bounded) at `end` until it no longer matches. Detector regexes bound their
 * repetitions because V8's backtracking engine keeps state per iteration and throws "Maximum call
 * stack size exceeded" on a 20 MiB run of digits; this loop covers the rest of such a run in linear time.
 *
 * @example
 * extendRun('1234567890', 4, /\d{1,64}/y); // 10
 */
export function extendRun(text: string, end: number, step: RegExp): number {
  let at = end;
  step.lastIndex = at;
  while (step.exec(text) !== null && step.lastIndex > at) {
    at = step.lastIndex;
  }
  return at;
}
