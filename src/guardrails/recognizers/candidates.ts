import type { PiiType } from '../../policy/pii-types.js';
import type { EntityFinding } from '../types.js';
import { labelOf, type Cue } from './context.js';
import { compact, looksLikePhoneOrDate } from './number-shapes.js';

/** A number-like token of a text: where it is, as written, and without separators. */
export interface Candidate {
  readonly start: number;
  readonly end: number;
  /** As written, e.g. `S123-456-78-901-0`. */
  readonly raw: string;
  /** Upper-cased without spaces and dashes, e.g. `S12345678901 0` → `S123456789010`. */
  readonly token: string;
}

// An alphanumeric run with a digit, optionally led by attached letters (up to three, or up to seven
// capitals and `*` as in Washington's `WDLABCD456DG` and `SMITHJ*123AB`) or one detached capital
// (`S 123 456 …`), in groups joined by single spaces or dashes. Each repetition
// consumes a separator then a digit, so matching is linear; groups are bounded (a longer run is split,
// and its pieces then fail the length checks).
const CANDIDATE =
  /(?<![A-Za-z0-9*])(?:[A-Z*]{1,7}|[A-Za-z]{1,3}|[A-Z][ -])?\d[A-Za-z0-9]{0,40}(?:[ -]\d[A-Za-z0-9]{0,40}){0,8}(?![A-Za-z0-9])/g;

/**
 * The number-like tokens of `text` whose compact form has `minLength` to `maxLength` characters.
 *
 * @example
 * [...candidatesIn('DL S123-456-78-901-0 ok', 4, 20)].map((c) => c.token); // ['S123456789010']
 */
export function* candidatesIn(text: string, minLength: number, maxLength: number): Generator<Candidate> {
  const re = new RegExp(CANDIDATE.source, 'g');
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const raw = m[0];
    const token = compact(raw);
    if (token.length < minLength || token.length > maxLength) continue;
    yield { start: m.index, end: m.index + raw.length, raw, token };
  }
}

/**
 * The common loop of the context-gated recognizers: every candidate that fits `accepts`, is not a
 * phone number or a date, and is labelled by one of `cues`, becomes a finding whose score is the cue's
 * plus what `adjust` adds for the candidate's own evidence. Findings under `minScore` are dropped.
 *
 * @example
 * findLabelled(text, { type: 'medical_record', name: 'medical_record', cues, minLength: 5, maxLength: 12,
 *   accepts: (c) => /^\d+$/.test(c.token) });
 */
export function findLabelled(
  text: string,
  spec: {
    type: PiiType;
    name: string;
    cues: readonly Cue[];
    minLength: number;
    maxLength: number;
    accepts: (c: Candidate) => boolean;
    adjust?: (c: Candidate, text: string) => number;
    minScore?: number;
  },
): EntityFinding[] {
  const out: EntityFinding[] = [];
  for (const c of candidatesIn(text, spec.minLength, spec.maxLength)) {
    if (!spec.accepts(c) || looksLikePhoneOrDate(text, c.start, c.end)) continue;
    const label = labelOf(text, c.start, c.end, spec.cues);
    if (!label) continue;
    const score = Math.min(0.99, label.score + (spec.adjust?.(c, text) ?? 0));
    if (score < (spec.minScore ?? 0.4)) continue;
    out.push({
      type: spec.type,
      start: c.start,
      end: c.end,
      score: Math.round(score * 100) / 100,
      recognizer: `${spec.name}:${label.id}`,
    });
  }
  return out;
}
