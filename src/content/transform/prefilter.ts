import RE2 from 're2';
import type { Logger } from '../../logger.js';

/** After this many calls in a row where the set saved no scan, it is consulted only now and then. */
const UNHELPFUL_STREAK = 8;
/** While skipped, the set is still consulted on one call in this many, to notice when it pays again. */
const PROBE_EVERY = 8;

/**
 * One RE2.Set over the patterns of all rules of one direction. A single pass over the text tells
 * which rules can match at all, so a body that none of them touches costs one scan instead of one
 * scan per rule.
 *
 * The pass costs about as much as one rule's scan, so it loses when nearly every rule matches (dense
 * traffic). The prefilter therefore keeps score: when it has not ruled out at least two rules for
 * {@link UNHELPFUL_STREAK} calls running, it is skipped except on one call in {@link PROBE_EVERY}.
 * This only changes speed; which rules fire and what they produce is the same either way.
 */
export class RulePrefilter {
  readonly #set: InstanceType<typeof RE2.Set> | undefined;
  readonly #size: number;
  readonly #logger: Logger;
  #unhelpful = 0;
  #skipped = 0;

  /**
   * @param patterns the `match` patterns, in rule order.
   * @example
   * const pf = new RulePrefilter(['a+', 'b+'], silentLogger);
   * pf.matching(Buffer.from('bbb')); // [false, true]
   */
  constructor(patterns: readonly string[], logger: Logger) {
    this.#size = patterns.length;
    this.#logger = logger;
    let set: InstanceType<typeof RE2.Set> | undefined;
    try {
      set = new RE2.Set(patterns, 'u');
    } catch (err) {
      // Each pattern compiled on its own, so the set can only fail on its combined size; rules still
      // run, just without the shortcut.
      logger.debug('transform prefilter disabled', {
        reason: err instanceof Error ? err.message : String(err),
      });
      set = undefined;
    }
    this.#set = set;
  }

  /** Whether the prefilter is in use (false when RE2 refused to build the combined set). */
  get enabled(): boolean {
    return this.#set !== undefined;
  }

  /**
   * Whether consulting the set on the next message is likely to pay; see the class comment.
   * Callers that ignore this still get correct answers from {@link matching}.
   */
  worthTrying(): boolean {
    if (this.#set === undefined) return false;
    if (this.#unhelpful < UNHELPFUL_STREAK) return true;
    this.#skipped = (this.#skipped + 1) % PROBE_EVERY;
    return this.#skipped === 0;
  }

  /** Tell the prefilter how many rule scans its last answer saved, net of its own pass. */
  recordSaving(rulesSkipped: number): void {
    this.#unhelpful = rulesSkipped >= 2 ? 0 : Math.min(this.#unhelpful + 1, UNHELPFUL_STREAK);
  }

  /**
   * For each pattern, whether it matches somewhere in `text`; `undefined` when unknown (no set, or
   * RE2 ran out of memory on this input), in which case the caller must run every rule.
   */
  matching(text: Buffer): boolean[] | undefined {
    if (this.#set === undefined) return undefined;
    let hits: number[];
    try {
      hits = this.#set.match(text);
    } catch (err) {
      this.#logger.debug('transform prefilter failed on this input', {
        reason: err instanceof Error ? err.message : String(err),
      });
      return undefined;
    }
    const result = new Array<boolean>(this.#size).fill(false);
    for (const h of hits) result[h] = true;
    return result;
  }
}
