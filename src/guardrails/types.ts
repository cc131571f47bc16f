import type { PiiType } from '../policy/pii-types.js';

/**
 * One entity a Guardrails recognizer found, in UTF-16 offsets of the text it analyzed. The value is
 * `text.slice(start, end)` and is deliberately not carried, so findings can be logged and audited.
 */
export interface EntityFinding {
  type: PiiType;
  /** Inclusive start offset. */
  start: number;
  /** Exclusive end offset. */
  end: number;
  /** Confidence in [0, 1]. */
  score: number;
  /** Which recognizer found it, e.g. `person:context` or `passport:us`. */
  recognizer: string;
}

/**
 * A recognizer the Guardrails Service runs over text: pure and synchronous, no I/O. A user can add
 * their own through the service's options.
 *
 * @example
 * const r: EntityRecognizer = { name: 'employee-id', types: ['medical_record'], analyze: (t) => [] };
 */
export interface EntityRecognizer {
  /** Stable name, reported in findings and logs. */
  readonly name: string;
  /** The entity types it can report. */
  readonly types: readonly PiiType[];
  /** Findings in `text` of the requested types (all of `types` when omitted), in any order. */
  analyze(text: string, types?: ReadonlySet<PiiType>): EntityFinding[];
}

/** What an injection model says about one text. */
export interface InjectionVerdict {
  /** Probability-like score in [0, 1]; compared with the policy's threshold. */
  score: number;
  /** The evidence that weighed most, as stable ids (never matched text). */
  signals: string[];
  /** Which model scored it, e.g. `declaw-logreg-v2`. */
  model: string;
}

/**
 * A prompt-injection model the service runs: pure and synchronous. The bundled one is a classifier
 * trained in this repository (`npm run train:injection`); users can plug in their own.
 */
export interface InjectionModel {
  readonly name: string;
  score(text: string): InjectionVerdict;
}
