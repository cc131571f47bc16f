import type { PiiType } from '../../policy/pii-types.js';
import type { EntityFinding, EntityRecognizer } from '../types.js';
import { findLabelled, type Candidate } from './candidates.js';
import type { Cue } from './context.js';
import { isCompactDate } from './number-shapes.js';
import { US_LICENSE_FORMATS, US_STATE_NAMES } from './us-license-formats.js';

const CUES: readonly Cue[] = [
  {
    id: 'drivers-license',
    pattern:
      /\b(?:driver'?s?|drivers'|driving|driver\s+and\s+vehicle)\s+licen[cs]es?(?:\s*(?:no|nr|number|num|id|#)\b\.?)?/i,
    score: 0.75,
  },
  // Acronyms in capitals only: a lower-case "dl" is as often "download".
  { id: 'dl', pattern: /\b(?:DL|DLN|CDL|D\/L)\b(?:\s*(?:No|Nr|Number|#)\b\.?)?/, score: 0.7 },
  { id: 'license-number', pattern: /\blicen[cs]e\s*(?:no|nr|number|num|#)\b\.?/i, score: 0.5 },
];

const FORMATS = Object.entries(US_LICENSE_FORMATS);

// "ID" is left out of the postal codes: in "licence ID" it names no state.
const STATE_CODE = new RegExp(
  `\\b(${Object.keys(US_LICENSE_FORMATS)
    .filter((c) => c !== 'ID')
    .join('|')})\\b`,
  'g',
);
const STATE_NAME = new RegExp(`\\b(${Object.values(US_STATE_NAMES).join('|')})\\b`, 'gi');
const CODE_BY_NAME = new Map(
  Object.entries(US_STATE_NAMES).map(([code, name]) => [name.toLowerCase(), code]),
);

/** Postal codes of the states named within the window around a candidate. */
function statesNear(text: string, c: Candidate): string[] {
  const window = text.slice(Math.max(0, c.start - 80), Math.min(text.length, c.end + 40));
  const codes = [...window.matchAll(STATE_CODE)].map((m) => m[1] as string);
  const names = [...window.matchAll(STATE_NAME)].map((m) => CODE_BY_NAME.get((m[1] as string).toLowerCase()));
  return [...codes, ...names].filter((c): c is string => c !== undefined);
}

/**
 * Recognizes US driver's licence numbers: a token of 5–19 letters and digits (spaces and dashes
 * allowed between groups) that fits the format of some state and is labelled by "driver's license",
 * "DL", "CDL" or "license number" (required: formats overlap with every other kind of number).
 * Scores: "driver's license" 0.75, DL/CDL 0.7, "license number" 0.5 (0.1 less when the label follows);
 * +0.15 when a state named nearby issues that format, −0.25 when the named state does not; +0.05 for a
 * format with letters; −0.15 when the digits read as a YYYYMMDD date.
 *
 * @example
 * createDriversLicenseRecognizer().analyze("California driver's license D1234567");
 * // [{ type: 'drivers_license', start: 28, end: 36, score: 0.95, recognizer: 'drivers_license:drivers-license' }]
 */
export function createDriversLicenseRecognizer(): EntityRecognizer {
  const types: readonly PiiType[] = ['drivers_license'];
  return {
    name: 'drivers_license',
    types,
    analyze(text: string): EntityFinding[] {
      return findLabelled(text, {
        type: 'drivers_license',
        name: 'drivers_license',
        cues: CUES,
        minLength: 5,
        maxLength: 19,
        accepts: (c) => FORMATS.some(([, format]) => format.test(c.token)),
        adjust: (c) => {
          let delta = /[A-Z]/.test(c.token) ? 0.05 : 0;
          if (isCompactDate(c.token)) delta -= 0.15;
          const states = statesNear(text, c);
          if (states.length > 0) {
            const fits = states.some((s) => US_LICENSE_FORMATS[s]?.test(c.token));
            delta += fits ? 0.15 : -0.25;
          }
          return delta;
        },
      });
    },
  };
}
