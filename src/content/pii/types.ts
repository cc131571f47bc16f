import type { PiiType } from '../../policy/pii-types.js';

/**
 * One detected piece of PII in a text. Positions are UTF-16 offsets into the scanned string; the value
 * itself is `text.slice(start, end)` and is deliberately not stored here, so findings can be reported
 * and audited without carrying the data.
 */
export interface PiiFinding {
  type: PiiType;
  /** Inclusive start offset. */
  start: number;
  /** Exclusive end offset. */
  end: number;
  /** Which detector or rule found it, e.g. `ssn` or `api_key:openai-api-key`. */
  detector: string;
  /** Confidence in [0, 1] where a detector has one (NER); 1 for validated structured matches. */
  score: number;
}

/** A detector for one PII type. Pure and synchronous: no I/O. */
export interface PiiDetector {
  readonly type: PiiType;
  /** Findings in `text`, in order of `start`, non-overlapping among themselves. */
  detect(text: string): PiiFinding[];
}

/** Finds PII of the requested types, resolving overlaps so that one span gets one type. */
export interface PiiScanner {
  /** Types this scanner can actually detect (the built-in one cannot detect `person_name`). */
  readonly supportedTypes: ReadonlySet<PiiType>;
  /** Non-overlapping findings sorted by `start`. */
  scan(text: string, types: ReadonlySet<PiiType>): PiiFinding[];
}
