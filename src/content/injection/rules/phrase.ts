/**
 * Building blocks for the built-in rules: word lists, bounded word gaps and sentence starts, so each
 * family file reads as phrasing rather than as regular-expression syntax.
 *
 * Every helper yields a bounded construct (a gap of at most `n` words, disjoint character classes),
 * so a compiled rule stays linear in the length of the text it runs on.
 *
 * @example
 * const r = defineRule({ id: 'x.y', weight: 0.5, anchors: ['ignore'], source: `ignore${gap(3)}rules` });
 */
import type { SignalRule } from '../types.js';

/** An alternation of words or phrases (already regex source), as a non-capturing group. */
export function anyOf(words: readonly string[]): string {
  return `(?:${words.join('|')})`;
}

/**
 * Up to `n` words between two parts of a phrase, within one sentence: spaces, then words that contain
 * no sentence-ending punctuation. Ends with whitespace, so the next part starts a word.
 */
export function gap(n: number): string {
  return `(?:\\s+\\S*[^\\s.!?]){0,${n}}?\\s+`;
}

/** Not preceded by a letter or digit (a word start that also works before accented letters). */
export const WORD_START = '(?<![\\p{L}\\p{N}_])';
/** Not followed by a letter or digit. */
export const WORD_END = '(?![\\p{L}\\p{N}_])';

/** Optional glue words before an imperative ("please", "also, remember to"), as regex source. */
export const GLUE =
  "(?:(?:please|kindly|also|now|and|then|so|finally|additionally|moreover|furthermore|remember to|make sure to|be sure to|you must|you should|you need to|don't forget to|do not forget to)[,]?\\s+){0,2}";

const BOUNDARY = new Set([
  '.',
  '!',
  '?',
  ';',
  ':',
  '\n',
  '"',
  "'",
  '(',
  '[',
  '{',
  '*',
  '>',
  '-',
  '•',
  ',',
  '|',
  '#',
  ')',
]);

/**
 * True when `at` begins a sentence or clause: at the text start, after sentence punctuation, a line
 * break, a bullet or a quote, or where the word is capitalised right after running text ("... credited
 * to Replace letters ..."), which is how text pasted into the middle of a sentence reads.
 */
export function startsSentence(lower: string, folded: string, at: number): boolean {
  let i = at - 1;
  let spaces = 0;
  while (i >= 0 && spaces < 12 && (lower[i] === ' ' || lower[i] === '\t' || lower[i] === '\r')) {
    i--;
    spaces++;
  }
  if (i < 0) return true;
  if (BOUNDARY.has(lower[i]!)) return true;
  const c = folded.charCodeAt(at);
  return c >= 0x41 && c <= 0x5a;
}

/** Regular-expression source for a literal. */
export function literal(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Options of {@link defineRule}. */
export interface RuleSpec {
  id: string;
  weight: number;
  anchors: readonly string[];
  source: string;
  /** Default 320 characters. */
  reach?: number;
  accept?: SignalRule['accept'];
}

/** Compiles a rule (global, Unicode) and checks its declared shape. */
export function defineRule(spec: RuleSpec): SignalRule {
  if (!(spec.weight > 0 && spec.weight < 1))
    throw new RangeError(`rule ${spec.id}: weight must be in (0, 1)`);
  if (spec.anchors.length === 0) throw new RangeError(`rule ${spec.id}: needs at least one anchor`);
  for (const a of spec.anchors) {
    if (a !== a.toLowerCase() || a.length === 0)
      throw new RangeError(`rule ${spec.id}: anchor "${a}" must be lower-case`);
  }
  return {
    id: spec.id,
    weight: spec.weight,
    anchors: spec.anchors,
    pattern: new RegExp(spec.source, 'gu'),
    reach: spec.reach ?? 320,
    ...(spec.accept ? { accept: spec.accept } : {}),
  };
}
