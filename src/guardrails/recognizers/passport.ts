import type { PiiType } from '../../policy/pii-types.js';
import type { EntityFinding, EntityRecognizer } from '../types.js';
import { findLabelled } from './candidates.js';
import type { Cue } from './context.js';
import { findMrz } from './mrz.js';

const CUES: readonly Cue[] = [
  { id: 'passport', pattern: /\bpassports?(?:\s*(?:no|nr|number|num|id|#)\b\.?)?/i, score: 0.85 },
  { id: 'travel-document', pattern: /\btravel\s+document(?:\s*(?:no|number|#)\b\.?)?/i, score: 0.7 },
];

// US passport books issued before 2021: nine digits. Next-generation books (2021 on) and passport
// cards: one capital letter and eight digits.
const US_BOOK = /^\d{9}$/;
const US_NEXT_GENERATION = /^[A-Z]\d{8}$/;
const US_NEARBY = /\b(?:U\.?S\.?A?|United\s+States|American)\b/;

/**
 * Recognizes US passport numbers (nine digits, or a letter and eight digits) labelled by a word such as
 * "passport no." nearby (required: the formats carry no checksum), and passport machine-readable zones
 * by their check digits (no label needed). Scores: MRZ 0.99; "passport" before the number 0.85, after
 * it 0.75; +0.05 for the letter-and-digits format, +0.05 when the US is named nearby.
 *
 * @example
 * createPassportRecognizer().analyze('US passport number: A12345678');
 * // [{ type: 'passport', start: 20, end: 29, score: 0.95, recognizer: 'passport:passport' }]
 */
export function createPassportRecognizer(): EntityRecognizer {
  const types: readonly PiiType[] = ['passport'];
  return {
    name: 'passport',
    types,
    analyze(text: string): EntityFinding[] {
      const labelled = findLabelled(text, {
        type: 'passport',
        name: 'passport',
        cues: CUES,
        minLength: 9,
        maxLength: 9,
        accepts: (c) => c.raw === c.token && (US_BOOK.test(c.token) || US_NEXT_GENERATION.test(c.token)),
        adjust: (c) =>
          (US_NEXT_GENERATION.test(c.token) ? 0.05 : 0) +
          (US_NEARBY.test(text.slice(Math.max(0, c.start - 64), c.end + 32)) ? 0.05 : 0),
      });
      const mrz = findMrz(text);
      // An MRZ line holds the document number too; the MRZ finding is the one to keep.
      return [...mrz, ...labelled.filter((f) => !mrz.some((z) => z.start < f.end && f.start < z.end))];
    },
  };
}
