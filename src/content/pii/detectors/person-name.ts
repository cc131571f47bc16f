import type { PiiType } from '../../../policy/pii-types.js';
import type { PiiDetector, PiiFinding } from '../types.js';
import { keepNonOverlapping, longerFirst } from './spans.js';

/**
 * A detector for `person_name`. declaw has no built-in one: names need NER, which the optional
 * Guardrails Service provides. The built-in scanner therefore leaves `person_name` (and `address`) out
 * of `supportedTypes` rather than pretending; the Guardrails client supplies an implementation through
 * `createPiiScanner({ extraDetectors })`.
 */
export interface PersonNameDetector extends PiiDetector {
  readonly type: 'person_name';
}

/** An entity span as an NER service reports it, in UTF-16 offsets of the text it was given. */
export interface EntitySpan {
  readonly start: number;
  readonly end: number;
  /** Confidence in [0, 1]; defaults to 1. */
  readonly score?: number;
}

/**
 * Wraps spans an NER service found in `text` (asynchronously, before the synchronous scan) as a
 * detector for that exact text. For any other text it finds nothing, so a stale result can never mark
 * the wrong characters. Spans are validated: out-of-range, empty, non-integer and non-finite ones are
 * dropped, scores are clamped to [0, 1], and overlaps keep the longer span.
 *
 * @example
 * const text = 'Summarize: John Smith, SSN 123-45-6789';
 * const names = createPrecomputedDetector('person_name', text, [{ start: 11, end: 21, score: 0.93 }], 'guardrails');
 * createPiiScanner({ extraDetectors: [names] }).scan(text, new Set(['person_name', 'ssn']));
 */
export function createPrecomputedDetector(
  type: PiiType,
  text: string,
  spans: readonly EntitySpan[],
  source: string,
): PiiDetector {
  const valid = spans.filter(
    (s) =>
      Number.isInteger(s.start) &&
      Number.isInteger(s.end) &&
      s.start >= 0 &&
      s.end <= text.length &&
      s.start < s.end,
  );
  const findings: PiiFinding[] = keepNonOverlapping(valid, longerFirst).map((s) => ({
    type,
    start: s.start,
    end: s.end,
    detector: `${type}:${source}`,
    score: clampScore(s.score),
  }));
  return {
    type,
    detect(input: string): PiiFinding[] {
      return input === text ? findings.map((f) => ({ ...f })) : [];
    },
  };
}

function clampScore(score: number | undefined): number {
  if (score === undefined || !Number.isFinite(score)) return 1;
  return Math.min(1, Math.max(0, score));
}
