/**
 * Public result types of the built-in prompt-injection scorer, and the internal shape of a signal rule.
 *
 * @example
 * const r: InjectionResult = createInjectionScorer().score('Ignore all previous instructions.');
 * r.signals.map((s) => s.id); // ['override.ignore_previous']
 */

/** One kind of evidence that fired, aggregated over the best-scoring window. Never carries matched text. */
export interface InjectionSignal {
  /** Stable id, `family.name`, e.g. `override.ignore_previous` or `hidden.unicode_tags`. */
  id: string;
  /** The signal's weight: its probability of meaning injection on its own, in (0, 1). */
  weight: number;
  /** How many times it fired inside the window. */
  count: number;
}

/** What {@link InjectionScorer.score} returns. */
export interface InjectionResult {
  /** In [0, 1]: the noisy-OR of the signals of the best window. Compare with the policy's threshold. */
  score: number;
  /** Signals of the best window, strongest first. Empty when nothing fired. */
  signals: InjectionSignal[];
  /**
   * Where the best window lies, as UTF-16 offsets into the scored text: the input itself for plain
   * text, the extracted text content for JSON and HTML bodies. Absent when nothing fired.
   */
  window?: { start: number; end: number };
}

/** Options of {@link createInjectionScorer}. All optional. */
export interface InjectionScorerOptions {
  /** Characters of scored text that one window spans (signals farther apart do not add up). Default 2000. */
  windowSize?: number;
  /** Longest text scored; longer input is scored on its first `maxChars` characters. Default 64 Mi. */
  maxChars?: number;
  /** How deep encoded payloads inside encoded payloads are decoded. Default 2. */
  maxDecodeDepth?: number;
}

/** Scores text for prompt injection. Stateless between calls; safe to share. */
export interface InjectionScorer {
  /**
   * Scores `text`; `contentType` (a MIME type, parameters allowed) selects JSON or HTML extraction,
   * otherwise the body is sniffed. Never throws.
   */
  score(text: string | Uint8Array, contentType?: string): InjectionResult;
}

/**
 * A built-in detection rule. `pattern` runs (global) on lower-cased, normalised text, only near
 * occurrences of one of its `anchors`, which keeps scanning fast on long benign pages.
 */
export interface SignalRule {
  id: string;
  weight: number;
  /** Lower-case literals; a match of `pattern` always contains at least one of them. */
  anchors: readonly string[];
  /** Global, linear-time expression on lower-cased text (no nested unbounded quantifiers). */
  pattern: RegExp;
  /** Farthest a match reaches from its anchor, in characters, on either side. */
  reach: number;
  /**
   * When set, every match starts at most this many characters before its anchor, and the rule is
   * tried there (sticky) instead of over a region: much cheaper for common anchors.
   */
  lead?: number;
  /**
   * Optional check of a match against the text as written (`folded` keeps letter case, `lower` is what
   * the pattern ran on); a match it rejects is dropped.
   */
  accept?: (lower: string, folded: string, start: number, end: number) => boolean;
  /** Optional cheap test of a candidate start, run before the pattern (sticky rules only). */
  startsAt?: (lower: string, folded: string, start: number) => boolean;
}

/** One firing of a signal at a position of the scored text. */
export interface SignalHit {
  id: string;
  weight: number;
  start: number;
  end: number;
}
