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

// Letters and digits of the scripts the rules are written for (lower-case text). Spelled out rather
// than \p{L}: a Unicode-mode look-behind costs about three times as much per attempt.
const WORD_CHARS = 'a-z0-9_\\u00c0-\\u024f\\u0370-\\u03ff\\u0400-\\u04ff';
/** Not preceded by a letter or digit (a word start that also works before accented letters). */
export const WORD_START = `(?<![${WORD_CHARS}])`;
/** Not followed by a letter or digit. */
export const WORD_END = `(?![${WORD_CHARS}])`;

// Glue that may stand between a clause start and an imperative: single words ("please", "also", adverbs
// in -ly) and phrases, written here backwards from the verb ("to remember" is "remember to").
const GLUE_WORDS = new Set(
  'please kindly also now and then so finally additionally moreover furthermore just simply'.split(' '),
);
const GLUE_PHRASES = [
  'to remember',
  'to sure make',
  'to sure be',
  "to forget don't",
  'to forget not do',
  "to hesitate don't",
  'to hesitate not do',
  'to need you',
  'must you',
  'should you',
  'you can',
  'you could',
  'you would',
  'you will',
].map((p) => p.split(' '));
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
const MAX_GLUE_STEPS = 4;

function isLetter(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || c === 0x27 || (c >= 0xc0 && c <= 0x24f);
}

/** Up to `count` words ending before `end`, nearest first, with the start offset of each. */
function wordsBefore(lower: string, end: number, count: number): Array<{ word: string; start: number }> {
  const out: Array<{ word: string; start: number }> = [];
  let i = end - 1;
  while (out.length < count) {
    while (i >= 0 && (lower[i] === ' ' || lower[i] === '\t' || lower[i] === ',')) i--;
    const e = i + 1;
    while (i >= 0 && isLetter(lower.charCodeAt(i))) i--;
    if (e === i + 1) break;
    out.push({ word: lower.slice(i + 1, e), start: i + 1 });
  }
  return out;
}

/** Where the glue before `at` starts, or `at` when there is none. */
function skipGlue(lower: string, at: number): number {
  const before = wordsBefore(lower, at, 4);
  const first = before[0];
  if (!first) return at;
  if (GLUE_WORDS.has(first.word) || (first.word.length > 4 && first.word.endsWith('ly'))) return first.start;
  for (const phrase of GLUE_PHRASES) {
    if (phrase.every((w, k) => before[k]?.word === w)) return before[phrase.length - 1]!.start;
  }
  return at;
}

/**
 * True when `at` begins a sentence or clause, possibly after glue words ("please", "also, remember
 * to"): at the text start, after sentence punctuation, a line break, a bullet or a quote, or where the
 * word is capitalised right after running text ("... credited to Replace letters ..."), which is how
 * text pasted into the middle of a sentence reads.
 */
export function startsSentence(lower: string, folded: string, at: number): boolean {
  let start = at;
  for (let step = 0; step <= MAX_GLUE_STEPS; step++) {
    let i = start - 1;
    let spaces = 0;
    while (i >= 0 && spaces < 12 && (lower[i] === ' ' || lower[i] === '\t' || lower[i] === '\r')) {
      i--;
      spaces++;
    }
    if (i < 0) return true;
    const c = folded.charCodeAt(start);
    if (c >= 0x41 && c <= 0x5a) return true;
    const prev = lower[i]!;
    if (BOUNDARY.has(prev) && !(prev === "'" && i > 0 && isLetter(lower.charCodeAt(i - 1)))) return true;
    const glueStart = skipGlue(lower, start);
    if (glueStart === start) return false;
    start = glueStart;
  }
  return false;
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
  /** See {@link SignalRule.lead}. */
  lead?: number;
  accept?: SignalRule['accept'];
  startsAt?: SignalRule['startsAt'];
}

/** Compiles a rule (global) and checks its declared shape. */
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
    pattern: new RegExp(spec.source, 'g'),
    reach: spec.reach ?? 320,
    ...(spec.accept ? { accept: spec.accept } : {}),
    ...(spec.lead !== undefined ? { lead: spec.lead } : {}),
    ...(spec.startsAt ? { startsAt: spec.startsAt } : {}),
  };
}
