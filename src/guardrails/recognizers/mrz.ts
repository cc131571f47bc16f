import type { EntityFinding } from '../types.js';
import { mrzCheckMatches } from './check-digits.js';

// Line 2 of a TD3 (passport) machine-readable zone: document number, its check digit, nationality,
// birth date and check, sex, expiry and check, personal number and check, composite check: 44 chars.
const TD3_LINE2 =
  /(?<![A-Z0-9<])([A-Z0-9<]{9})([0-9])([A-Z<]{3})([0-9]{6})([0-9])([MFX<])([0-9]{6})([0-9])([A-Z0-9<]{14})([0-9<])([0-9])(?![A-Z0-9<])/g;

// Line 1: document code P, type, issuing state, then the holder's name: 44 chars.
const TD3_LINE1 = /P[A-Z<][A-Z<]{3}[A-Z<]{39}$/;

/**
 * Finds the machine-readable zone of passports (ICAO 9303 TD3) by its five check digits: document
 * number, birth date, expiry, personal number and the composite over all of them. No context is
 * needed: a random 44-character line passes all five with probability 10⁻⁵. The finding covers both
 * lines when line 1 (`P<UTO…`, which holds the name) is the line just before, so redacting it
 * removes the name too.
 *
 * @example
 * findMrz('P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10');
 * // [{ type: 'passport', start: 0, end: 89, score: 0.99, recognizer: 'passport:mrz' }]
 */
export function findMrz(text: string): EntityFinding[] {
  if (text.length < 44) return [];
  const out: EntityFinding[] = [];
  const re = new RegExp(TD3_LINE2.source, 'g');
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const [line, doc = '', docCheck = '', , birth = '', birthCheck = '', , expiry = '', expiryCheck = ''] = m;
    const [personal = '', personalCheck = '', composite = ''] = m.slice(9);
    const valid =
      mrzCheckMatches(doc, docCheck) &&
      mrzCheckMatches(birth, birthCheck) &&
      mrzCheckMatches(expiry, expiryCheck) &&
      mrzCheckMatches(personal, personalCheck) &&
      mrzCheckMatches(
        doc + docCheck + birth + birthCheck + expiry + expiryCheck + personal + personalCheck,
        composite,
      );
    if (!valid) continue;
    let start = m.index;
    const lineBreak = /\r?\n$/.exec(text.slice(Math.max(0, start - 2), start));
    if (lineBreak) {
      const prevEnd = start - lineBreak[0].length;
      const line1 = TD3_LINE1.exec(text.slice(Math.max(0, prevEnd - 44), prevEnd));
      if (line1 && prevEnd - 44 >= 0) start = prevEnd - 44;
    }
    out.push({
      type: 'passport',
      start,
      end: m.index + line.length,
      score: 0.99,
      recognizer: 'passport:mrz',
    });
  }
  return out;
}
