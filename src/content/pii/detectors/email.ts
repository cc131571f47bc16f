import type { PiiDetector, PiiFinding } from '../types.js';
import { isAsciiLetterCode, isDigitCode } from './text-scan.js';

const AT_SIGN = /@(?=[A-Za-z0-9\u00c0-\uffff])/g;
const MAX_LOCAL = 64;
const MAX_DOMAIN = 253;
const MAX_LABEL = 63;

// RFC 5322 allows more (`/`, `=`, `?`, `&`, …), but those also glue URL query strings onto an address
// (`?email=john@x.com`); addresses that use them are vanishingly rare, URLs that contain them are not.
const LOCAL_PUNCTUATION = new Set([...'._%+-'].map((c) => c.charCodeAt(0)));

function isOtherScriptLetter(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 0x80) return false;
  // Lone surrogates and U+FFFD (what invalid UTF-8 decodes to) are never part of an address.
  if (c === 0xfffd || (c >= 0xd800 && c <= 0xdfff)) return false;
  return /[\p{L}\p{N}\p{M}]/u.test(text[i] as string);
}

function isLocalChar(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return isAsciiLetterCode(c) || isDigitCode(c) || LOCAL_PUNCTUATION.has(c) || isOtherScriptLetter(text, i);
}

function isLabelChar(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return isAsciiLetterCode(c) || isDigitCode(c) || c === 45 || isOtherScriptLetter(text, i);
}

/**
 * Detects e-mail addresses (`local@domain.tld`). Written as a scan outward from each `@` instead of a
 * regular expression so the work per `@` is bounded by the RFC length limits (64 + 253 characters):
 * a megabyte of `@` or of letters finishes in linear time. Accepts internationalised addresses;
 * requires a dotted domain whose top-level label has two or more letters. `user:pass@host` inside a
 * URL is a credential, not an address, and is left to the api_key rules.
 *
 * @example
 * createEmailDetector().detect('mail john@example.com today');
 * // [{ type: 'email', start: 5, end: 21, detector: 'email', score: 1 }]
 */
export function createEmailDetector(): PiiDetector {
  return {
    type: 'email',
    detect(text: string): PiiFinding[] {
      const out: PiiFinding[] = [];
      if (text.indexOf('@') === -1) return out;
      // The regex engine finds each `@` followed by a domain character, so runs of `@@@…` never come
      // back to this loop; the character before is checked here (cheaper than a lookbehind).
      const re = new RegExp(AT_SIGN.source, 'g');
      let lastEnd = 0;
      let m: RegExpExecArray | null;
      while ((m = re.exec(text)) !== null) {
        const at = m.index;
        if (at <= lastEnd || !isLocalChar(text, at - 1)) continue;
        const found = addressAround(text, at, lastEnd);
        if (found) {
          out.push({ type: 'email', start: found.start, end: found.end, detector: 'email', score: 1 });
          lastEnd = found.end;
          re.lastIndex = found.end;
        }
      }
      return out;
    },
  };
}

function addressAround(text: string, at: number, floor: number): { start: number; end: number } | undefined {
  // Local part: walk left over allowed characters.
  let start = at;
  while (start > floor && at - start < MAX_LOCAL + 1 && isLocalChar(text, start - 1)) start--;
  if (start > floor && isLocalChar(text, start - 1)) return undefined; // longer than RFC allows
  while (start < at && text.charCodeAt(start) === 46) start++; // a leading dot ends a sentence
  if (start === at || text.charCodeAt(at - 1) === 46) return undefined;
  if (isUrlCredential(text, start)) return undefined;

  // Domain: labels separated by single dots.
  let i = at + 1;
  let lastLabelStart = i;
  let labels = 0;
  let end = -1;
  while (i < text.length && i - at <= MAX_DOMAIN) {
    const labelStart = i;
    while (i < text.length && i - labelStart <= MAX_LABEL && isLabelChar(text, i)) i++;
    if (i === labelStart) break;
    if (text.charCodeAt(labelStart) === 45 || text.charCodeAt(i - 1) === 45) break;
    labels++;
    lastLabelStart = labelStart;
    end = i;
    if (text.charCodeAt(i) === 46 && i + 1 < text.length && isLabelChar(text, i + 1)) {
      i++;
      continue;
    }
    break;
  }
  if (labels < 2 || end === -1) return undefined;
  if (!isTopLevelLabel(text, lastLabelStart, end)) return undefined;
  return { start, end };
}

function isTopLevelLabel(text: string, start: number, end: number): boolean {
  if (end - start < 2) return false;
  if (text.startsWith('xn--', start)) return true;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (!isAsciiLetterCode(c) && !isOtherScriptLetter(text, i)) return false;
  }
  return true;
}

/** `scheme://user:secret@host`: the part before `@` is a password, not a mailbox. */
function isUrlCredential(text: string, localStart: number): boolean {
  if (text.charCodeAt(localStart - 1) !== 58) return false; // ':'
  const before = text.slice(Math.max(0, localStart - 300), localStart);
  return /:\/\/[^\s/@]*:$/.test(before);
}
